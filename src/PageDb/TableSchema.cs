namespace PageDb;

/// <summary>
/// A table's definition: its name, its columns in order, and the columns of its primary key. A table without a
/// declared key gets a hidden auto-increment row id, which scans expose
/// as the pseudo-column <see cref="RowIdColumn"/> when it is asked for by name.
/// </summary>
public sealed class TableSchema
{
    /// <summary>The name of the hidden row id of a table without a primary key.</summary>
    public const string RowIdColumn = "_rowid";

    private readonly Column[] _columns;
    private readonly string[] _primaryKey;

    /// <summary>Defines a table.</summary>
    /// <param name="name">The table's name: non-empty, no zero characters.</param>
    /// <param name="columns">At least one column; names unique and non-empty.</param>
    /// <param name="primaryKey">Names of the key's columns, in key order; none for a hidden row id. Key columns may not be nullable.</param>
    /// <exception cref="ArgumentException">Any rule above is broken.</exception>
    public TableSchema(string name, IReadOnlyList<Column> columns, IReadOnlyList<string>? primaryKey = null)
    {
        ValidateName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(columns);
        Name = name;
        _columns = [.. columns];
        _primaryKey = primaryKey is null ? [] : [.. primaryKey];
        ValidateColumns();
        PrimaryKeyOrdinals = ResolveKey();
    }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>The columns, in the order rows hold their values.</summary>
    public IReadOnlyList<Column> Columns => _columns;

    /// <summary>The primary key's column names; empty when the table has a hidden row id.</summary>
    public IReadOnlyList<string> PrimaryKey => _primaryKey;

    /// <summary>True when the table has no declared key and is keyed by a hidden row id.</summary>
    public bool HasRowId => _primaryKey.Length == 0;

    internal int[] PrimaryKeyOrdinals { get; }

    /// <summary>The position of column <paramref name="column"/>, or -1.</summary>
    public int IndexOf(string column)
    {
        for (int i = 0; i < _columns.Length; i++)
        {
            if (string.Equals(_columns[i].Name, column, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    /// <summary>The position of column <paramref name="column"/>.</summary>
    /// <exception cref="ArgumentException">The table has no such column.</exception>
    internal int RequireOrdinal(string column, string paramName)
    {
        int ordinal = IndexOf(column);
        if (ordinal < 0)
            throw new ArgumentException($"Table '{Name}' has no column '{column}'.", paramName);
        return ordinal;
    }

    internal static void ValidateName(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        if (name.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("A name may not contain a zero character.", paramName);
    }

    private void ValidateColumns()
    {
        if (_columns.Length == 0)
            throw new ArgumentException("A table needs at least one column.", "columns");
        if (_columns.Length > ushort.MaxValue)
            throw new ArgumentException($"A table may have at most {ushort.MaxValue} columns.", "columns");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Column column in _columns)
        {
            ArgumentNullException.ThrowIfNull(column, "columns");
            ValidateName(column.Name, "columns");
            if (!Enum.IsDefined(column.Type))
                throw new ArgumentException($"Column '{column.Name}' has an unknown type {column.Type}.", "columns");
            if (column.Name == RowIdColumn || !names.Add(column.Name))
                throw new ArgumentException($"The column name '{column.Name}' is reserved or used twice.", "columns");
        }
    }

    private int[] ResolveKey()
    {
        var ordinals = new int[_primaryKey.Length];
        for (int i = 0; i < _primaryKey.Length; i++)
        {
            int ordinal = RequireOrdinal(_primaryKey[i], "primaryKey");
            if (_columns[ordinal].Nullable)
                throw new ArgumentException($"Primary key column '{_primaryKey[i]}' may not be nullable.", "primaryKey");
            if (Array.IndexOf(ordinals, ordinal, 0, i) >= 0)
                throw new ArgumentException($"Primary key column '{_primaryKey[i]}' is named twice.", "primaryKey");
            ordinals[i] = ordinal;
        }
        return ordinals;
    }
}
