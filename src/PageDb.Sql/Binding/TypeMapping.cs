using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>
/// Maps SQL type names to PageDb column types and affinities, by SQLite's substring rules: INT means integer; CHAR,
/// CLOB or TEXT means text; BLOB means bytes; REAL, FLOA or DOUB means double; BOOL, DATE/TIME and DEC/NUMERIC map to
/// PageDb's boolean, date-time and decimal columns. A column without a type stores text.
/// </summary>
internal static class TypeMapping
{
    /// <summary>The PageDb column type for a declared SQL type.</summary>
    public static ColumnType ColumnTypeFor(string typeName)
    {
        string upper = typeName.ToUpperInvariant();
        if (upper.Contains("INT", StringComparison.Ordinal))
            return ColumnType.Int64;
        if (upper.Contains("CHAR", StringComparison.Ordinal) || upper.Contains("CLOB", StringComparison.Ordinal) || upper.Contains("TEXT", StringComparison.Ordinal))
            return ColumnType.String;
        if (upper.Contains("BLOB", StringComparison.Ordinal))
            return ColumnType.Bytes;
        if (upper.Contains("REAL", StringComparison.Ordinal) || upper.Contains("FLOA", StringComparison.Ordinal) || upper.Contains("DOUB", StringComparison.Ordinal))
            return ColumnType.Double;
        if (upper.Contains("BOOL", StringComparison.Ordinal))
            return ColumnType.Boolean;
        if (upper.Contains("DATE", StringComparison.Ordinal) || upper.Contains("TIME", StringComparison.Ordinal))
            return ColumnType.DateTime;
        if (upper.Contains("DEC", StringComparison.Ordinal) || upper.Contains("NUM", StringComparison.Ordinal))
            return ColumnType.Decimal;
        return ColumnType.String;
    }

    /// <summary>The affinity of a column of type <paramref name="type"/>.</summary>
    public static Affinity AffinityOf(ColumnType type) => type switch
    {
        ColumnType.Int64 or ColumnType.Boolean => Affinity.Integer,
        ColumnType.Double => Affinity.Real,
        ColumnType.String or ColumnType.DateTime => Affinity.Text,
        ColumnType.Decimal => Affinity.Numeric,
        _ => Affinity.None,
    };

    /// <summary>The affinity a CAST to <paramref name="typeName"/> gives (SQLite's rules; no type means BLOB).</summary>
    public static Affinity AffinityOfTypeName(string typeName)
    {
        string upper = typeName.ToUpperInvariant();
        if (upper.Contains("INT", StringComparison.Ordinal))
            return Affinity.Integer;
        if (upper.Contains("CHAR", StringComparison.Ordinal) || upper.Contains("CLOB", StringComparison.Ordinal) || upper.Contains("TEXT", StringComparison.Ordinal))
            return Affinity.Text;
        if (upper.Length == 0 || upper.Contains("BLOB", StringComparison.Ordinal))
            return Affinity.None;
        if (upper.Contains("REAL", StringComparison.Ordinal) || upper.Contains("FLOA", StringComparison.Ordinal) || upper.Contains("DOUB", StringComparison.Ordinal))
            return Affinity.Real;
        return Affinity.Numeric;
    }

    /// <summary>The SQL name of a column type, for messages and schema listings.</summary>
    public static string SqlName(ColumnType type) => type switch
    {
        ColumnType.Int64 => "INTEGER",
        ColumnType.Double => "REAL",
        ColumnType.String => "TEXT",
        ColumnType.Bytes => "BLOB",
        ColumnType.Boolean => "BOOLEAN",
        ColumnType.DateTime => "DATETIME",
        _ => "DECIMAL",
    };
}
