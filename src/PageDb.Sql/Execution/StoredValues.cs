using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using PageDb.Records;
using PageDb.Sql.Binding;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// Converts between SQL values and the typed values a PageDb table stores. A value is first given its column's
/// affinity (so '12' stored in an INTEGER column is 12, and 5 in a REAL column is 5.0); a value that still does not fit
/// the column's type is a type error, where SQLite would store it as it is.
/// </summary>
internal static class StoredValues
{
    private const string DateTimeFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    /// <summary>Every row of <paramref name="table"/> as SQL values, with the row id last when asked.</summary>
    public static List<SqlValue[]> ReadAll(Table table, bool withRowId)
    {
        IReadOnlyList<Column> columns = table.Schema.Columns;
        List<string>? names = null;
        if (withRowId && table.Schema.HasRowId)
            names = [.. columns.Select(c => c.Name), TableSchema.RowIdColumn];
        var rows = new List<SqlValue[]>();
        using var scan = table.Scan(names);
        foreach (Row row in scan)
            rows.Add(FromRow(row));
        return rows;
    }

    /// <summary>The SQL values of a stored row.</summary>
    public static SqlValue[] FromRow(RowValues row)
    {
        var values = new SqlValue[row.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = FromStored(row.ValueAt(i));
        return values;
    }

    /// <summary>The SQL value of a stored value, read as it is stored (no boxing).</summary>
    public static SqlValue FromStored(in Value value) => value.Type switch
    {
        0 => SqlValue.Null,
        ColumnType.Int64 => SqlValue.FromInteger(value.AsInt64),
        ColumnType.Double => SqlValue.FromReal(value.AsDouble),
        ColumnType.Boolean => SqlValue.FromBoolean(value.AsBoolean),
        ColumnType.String => SqlValue.FromText(value.AsString),
        ColumnType.Bytes => SqlValue.FromBlob(value.AsBytes),
        ColumnType.DateTime => SqlValue.FromText(value.AsDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture)),
        _ => FromDecimal(value.AsDecimal),
    };

    private static SqlValue FromDecimal(decimal number) =>
        number == decimal.Truncate(number) && number >= long.MinValue && number <= long.MaxValue
            ? SqlValue.FromInteger((long)number)
            : SqlValue.FromReal((double)number);

    /// <summary>The row to store for <paramref name="values"/> (one per column of <paramref name="schema"/>, in order).</summary>
    /// <exception cref="SqlException">A value does not fit its column's type, or is NULL in a NOT NULL column.</exception>
    public static Row ToRow(TableSchema schema, IReadOnlyList<SqlValue> values)
    {
        var stored = new Value[schema.Columns.Count];
        for (int i = 0; i < stored.Length; i++)
            stored[i] = ToValue(values[i], schema.Columns[i], schema.Name);
        return new Row(stored);
    }

    /// <summary>The value to store for <paramref name="value"/> in <paramref name="column"/>, as an object.</summary>
    /// <exception cref="SqlException">The value does not fit the column's type, or is NULL in a NOT NULL column.</exception>
    public static object? ToStored(SqlValue value, Column column, string table) => ToValue(value, column, table).ToObject();

    /// <summary>The value to store for <paramref name="value"/> in <paramref name="column"/> (no boxing).</summary>
    /// <exception cref="SqlException">The value does not fit the column's type, or is NULL in a NOT NULL column.</exception>
    public static Value ToValue(SqlValue value, Column column, string table)
    {
        if (value.IsNull)
        {
            if (!column.Nullable)
                ThrowNotNull(column, table);
            return Value.Null;
        }
        SqlValue converted = value.WithAffinity(TypeMapping.AffinityOf(column.Type));
        Value? stored = column.Type switch
        {
            ColumnType.Int64 when converted.Kind == SqlValueKind.Integer => Value.FromInt64(converted.Integer),
            ColumnType.Double when converted.IsNumeric => Value.FromDouble(converted.ToReal()),
            ColumnType.String when converted.Kind == SqlValueKind.Text => Value.FromString(converted.Text),
            ColumnType.Bytes when converted.Kind == SqlValueKind.Blob => Value.FromBytes(converted.Blob),
            ColumnType.Bytes when converted.Kind == SqlValueKind.Text => Value.FromBytes(System.Text.Encoding.UTF8.GetBytes(converted.Text)),
            ColumnType.Boolean when converted.IsNumeric => Value.FromBoolean(converted.ToReal() != 0),
            ColumnType.Decimal when converted.IsNumeric => ToDecimal(converted),
            ColumnType.DateTime when converted.Kind == SqlValueKind.Text => ParseDateTime(converted.Text),
            _ => null,
        };
        if (stored is null)
            ThrowUnfit(value, column, table);
        return stored.Value;
    }

    [DoesNotReturn]
    private static void ThrowNotNull(Column column, string table) =>
        throw new ConstraintViolationException($"NOT NULL constraint failed: {table}.{column.Name}");

    [DoesNotReturn]
    private static void ThrowUnfit(SqlValue value, Column column, string table) =>
        throw new SqlException($"Cannot store {Describe(value)} in column {table}.{column.Name} of type {TypeMapping.SqlName(column.Type)}.");

    private static Value? ToDecimal(SqlValue value)
    {
        if (value.Kind == SqlValueKind.Integer)
            return Value.FromDecimal(value.Integer);
        double real = value.Real;
        return double.IsFinite(real) && Math.Abs(real) < 7.9e28 ? Value.FromDecimal((decimal)real) : null;
    }

    private static Value? ParseDateTime(string text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime time)
            ? Value.FromDateTime(time)
            : null;

    private static string Describe(SqlValue value) => value.Kind switch
    {
        SqlValueKind.Text => $"the text '{value.Text}'",
        SqlValueKind.Blob => "a blob",
        SqlValueKind.Real => $"the real {value}",
        _ => $"the value {value}",
    };
}
