using System.Collections;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using PageDb.Sql;
using PageDb.Sql.Values;

namespace PageDb.Data;

/// <summary>
/// Reads the rows of a command's result one at a time, as the query's operators produce them (see
/// <see cref="SqlRowReader"/>): outside a transaction the reader holds a read snapshot until it is closed or disposed,
/// so commands run meanwhile on the same connection, writes included, work and are not seen by it, as with SQLite's
/// provider; inside a transaction it reads the transaction, and committing or rolling back ends it (a further Read
/// throws InvalidOperationException), as closing the connection does (ObjectDisposedException). Values come back as SQLite's storage classes do: long, double, string, byte[] or DBNull; the
/// typed getters convert (GetInt32 checks the range, GetBoolean is non-zero, GetDateTime parses text). A column's
/// field type is the type of its value in the current row, or in the first row when that one is NULL or no row has
/// been read yet (string when both are NULL or there is no row).
/// </summary>
[SuppressMessage("Design", "CA1010", Justification = "DbDataReader's non-generic enumeration is the ADO.NET contract; rows are not objects.")]
public sealed class PageDbDataReader : DbDataReader
{
    private readonly SqlRowReader _rows;
    private readonly bool _hasRows;
    // The kind of each value of the first row, taken when the reader moves past it (the next row may overwrite it);
    // null while the first row is the reader's current one.
    private SqlValueKind[]? _firstKinds;
    private readonly Action? _onClose;
    // The command that ran the reader, told on close to take back its parameter values (see PageDbCommand.GiveBack).
    private readonly PageDbCommand? _command;
    private readonly SqlParameters? _parameters;
    private bool _firstPending;
    private bool _onRow;
    private bool _closed;

    internal PageDbDataReader(SqlRowReader rows, Action? onClose, PageDbCommand? command = null, SqlParameters? parameters = null)
    {
        _rows = rows;
        _onClose = onClose;
        _command = command;
        _parameters = parameters;
        try
        {
            _firstPending = rows.Read();
        }
        catch
        {
            rows.Dispose();
            throw;
        }
        _hasRows = _firstPending;
    }

    /// <inheritdoc/>
    public override int FieldCount => _rows.Columns.Count;

    /// <inheritdoc/>
    public override bool HasRows => _hasRows;

    /// <inheritdoc/>
    public override bool IsClosed => _closed;

    /// <inheritdoc/>
    public override int RecordsAffected => (int)Math.Min(int.MaxValue, _rows.RowsAffected);

    /// <inheritdoc/>
    public override int Depth => 0;

    /// <inheritdoc/>
    public override object this[int ordinal] => GetValue(ordinal);

    /// <inheritdoc/>
    public override object this[string name] => GetValue(GetOrdinal(name));

    /// <inheritdoc/>
    public override bool Read()
    {
        if (_closed)
            return false;
        if (_firstPending)
        {
            _firstPending = false;
            return _onRow = true;
        }
        // An ended reader's row is empty (its storage may hold a later query's row): the Read below throws.
        if (_onRow && _firstKinds is null && _rows.Current.Count > 0)
        {
            _firstKinds = new SqlValueKind[_rows.Columns.Count];
            for (int i = 0; i < _firstKinds.Length; i++)
                _firstKinds[i] = _rows[i].Kind;
        }
        return _onRow = _rows.Read();
    }

    /// <inheritdoc/>
    public override bool NextResult() => false;

    /// <summary>Closes the reader and releases its read snapshot.</summary>
    public override void Close()
    {
        if (_closed)
            return;
        _closed = true;
        _onRow = false;
        _rows.Dispose();
        if (_parameters is not null)
            _command?.GiveBack(_parameters);
        _onClose?.Invoke();
    }

    /// <inheritdoc/>
    public override string GetName(int ordinal) => _rows.Columns[ordinal];

    /// <inheritdoc/>
    public override int GetOrdinal(string name)
    {
        for (int i = 0; i < _rows.Columns.Count; i++)
        {
            if (string.Equals(_rows.Columns[i], name, StringComparison.OrdinalIgnoreCase))
                return i;
        }
        throw new ArgumentOutOfRangeException(nameof(name), name, $"The result has no column named '{name}'.");
    }

    /// <inheritdoc/>
    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.PublicProperties)]
    public override Type GetFieldType(int ordinal)
    {
        SqlValueKind kind = _onRow ? _rows[ordinal].Kind : SqlValueKind.Null;
        if (kind == SqlValueKind.Null && _hasRows)
            kind = _firstKinds is null ? _rows[ordinal].Kind : _firstKinds[ordinal];
        return kind switch
        {
            SqlValueKind.Integer => typeof(long),
            SqlValueKind.Real => typeof(double),
            SqlValueKind.Blob => typeof(byte[]),
            _ => typeof(string),
        };
    }

    /// <inheritdoc/>
    public override string GetDataTypeName(int ordinal) => GetFieldType(ordinal) switch
    {
        Type t when t == typeof(long) => "INTEGER",
        Type t when t == typeof(double) => "REAL",
        Type t when t == typeof(byte[]) => "BLOB",
        _ => "TEXT",
    };

    /// <inheritdoc/>
    public override object GetValue(int ordinal) => Current(ordinal).ToObject() ?? DBNull.Value;

    /// <inheritdoc/>
    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int count = Math.Min(values.Length, FieldCount);
        for (int i = 0; i < count; i++)
            values[i] = GetValue(i);
        return count;
    }

    /// <inheritdoc/>
    public override bool IsDBNull(int ordinal) => Current(ordinal).IsNull;

    /// <inheritdoc/>
    public override bool GetBoolean(int ordinal) => NotNull(ordinal).ToInteger() != 0;

    /// <inheritdoc/>
    public override byte GetByte(int ordinal) => checked((byte)NotNull(ordinal).ToInteger());

    /// <inheritdoc/>
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        SqlValue value = NotNull(ordinal);
        byte[] bytes = value.ToObject() as byte[] ?? System.Text.Encoding.UTF8.GetBytes(value.ToText()!);
        if (buffer is null)
            return bytes.Length;
        int count = (int)Math.Max(0, Math.Min(length, bytes.Length - dataOffset));
        Array.Copy(bytes, dataOffset, buffer, bufferOffset, count);
        return count;
    }

    /// <inheritdoc/>
    public override char GetChar(int ordinal) => GetString(ordinal)[0];

    /// <inheritdoc/>
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        string text = GetString(ordinal);
        if (buffer is null)
            return text.Length;
        int count = (int)Math.Max(0, Math.Min(length, text.Length - dataOffset));
        text.CopyTo((int)dataOffset, buffer, bufferOffset, count);
        return count;
    }

    /// <inheritdoc/>
    public override DateTime GetDateTime(int ordinal) =>
        DateTime.Parse(GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <inheritdoc/>
    public override decimal GetDecimal(int ordinal)
    {
        SqlValue value = NotNull(ordinal);
        return value.Kind == SqlValueKind.Integer ? value.ToInteger() : (decimal)value.ToReal();
    }

    /// <inheritdoc/>
    public override double GetDouble(int ordinal) => NotNull(ordinal).ToReal();

    /// <inheritdoc/>
    public override float GetFloat(int ordinal) => (float)NotNull(ordinal).ToReal();

    /// <inheritdoc/>
    public override Guid GetGuid(int ordinal) => Guid.Parse(GetString(ordinal));

    /// <inheritdoc/>
    public override short GetInt16(int ordinal) => checked((short)NotNull(ordinal).ToInteger());

    /// <inheritdoc/>
    public override int GetInt32(int ordinal) => checked((int)NotNull(ordinal).ToInteger());

    /// <inheritdoc/>
    public override long GetInt64(int ordinal) => NotNull(ordinal).ToInteger();

    /// <inheritdoc/>
    public override string GetString(int ordinal) => NotNull(ordinal).ToText()!;

    /// <inheritdoc/>
    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    /// <inheritdoc/>
    [UnconditionalSuppressMessage("Trimming", "IL2111", Justification = "The DataType column only stores Type objects (the field types, all primitive); nothing reflects over them.")]
    public override DataTable GetSchemaTable()
    {
        var table = new DataTable("SchemaTable") { Locale = CultureInfo.InvariantCulture };
        table.Columns.Add(SchemaTableColumn.ColumnName, typeof(string));
        table.Columns.Add(SchemaTableColumn.ColumnOrdinal, typeof(int));
        table.Columns.Add(SchemaTableColumn.DataType, typeof(Type));
        table.Columns.Add(SchemaTableColumn.AllowDBNull, typeof(bool));
        table.Columns.Add("DataTypeName", typeof(string));
        for (int i = 0; i < FieldCount; i++)
            table.Rows.Add(GetName(i), i, GetFieldType(i), true, GetDataTypeName(i));
        return table;
    }

    /// <summary>The value in column <paramref name="ordinal"/> of the current row, as a SQL value.</summary>
    public SqlValue GetSqlValue(int ordinal) => Current(ordinal);

    private SqlValue Current(int ordinal)
    {
        if (_closed)
            throw new InvalidOperationException("The reader is closed.");
        if (!_onRow)
            throw new InvalidOperationException("The reader is not on a row: call Read first.");
        return _rows[ordinal];
    }

    private SqlValue NotNull(int ordinal)
    {
        SqlValue value = Current(ordinal);
        return value.IsNull ? throw new InvalidCastException($"Column {ordinal} is NULL.") : value;
    }
}
