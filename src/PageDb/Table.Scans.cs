using PageDb.Btree;
using PageDb.Execution;
using PageDb.Expressions;
using PageDb.Records;

namespace PageDb;

/// <summary>The operators that read a table.</summary>
public sealed partial class Table
{
    /// <summary>
    /// A scan of the whole table in primary-key order producing <paramref name="columns"/> (all when null; a table
    /// without a key also offers <see cref="TableSchema.RowIdColumn"/>) of the rows where <paramref name="where"/>
    /// holds. The predicate may name any column of the table and is evaluated on the stored record.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing.</exception>
    public TableScan Scan(IReadOnlyList<string>? columns = null, Expr? where = null)
    {
        EnsureCurrent();
        return new TableScan(this, columns, where);
    }

    /// <summary>
    /// A scan of the rows whose primary key (<paramref name="index"/> null) or secondary index value lies between
    /// <paramref name="from"/> and <paramref name="to"/>, in that key's order. A bound holds the first values of the
    /// key's columns (a prefix of a composite key is fine); a null bound is open.
    /// </summary>
    /// <exception cref="ArgumentException">No such index, a column is missing, or a bound's values do not fit the key's columns.</exception>
    public IndexScan IndexScan(string? index, Row? from, Row? to, bool fromInclusive = true, bool toInclusive = true,
        IReadOnlyList<string>? columns = null)
    {
        EnsureCurrent();
        TableIndex? secondary = index is null ? null : RequireIndex(index);
        byte[]? low = from is null ? null : EncodeBound(from, secondary, nameof(from));
        byte[]? high = to is null ? null : EncodeBound(to, secondary, nameof(to));
        return new IndexScan(this, secondary, new KeyRange(low, fromInclusive, high, toInclusive, from, to), columns);
    }

    /// <summary>Opens a cursor over one of the table's trees that notices changes made through the transaction.</summary>
    internal Cursor OpenCursor(BTree tree)
    {
        EnsureCurrent();
        var cursor = new Cursor(_transaction, tree.OpenCursor());
        _transaction.Track(cursor);
        return cursor;
    }

    private byte[] EncodeBound(Row bound, TableIndex? index, string paramName)
    {
        Column[] keyColumns = index is null
            ? Schema.HasRowId ? [RowIdKeyColumn] : Array.ConvertAll(Schema.PrimaryKeyOrdinals, o => Schema.Columns[o])
            : Array.ConvertAll(index.Ordinals, o => Schema.Columns[o]);
        if (bound.Count == 0 || bound.Count > keyColumns.Length)
            throw new ArgumentException($"A bound has 1 to {keyColumns.Length} values; {bound.Count} given.", paramName);
        var key = new ByteBuilder();
        for (int i = 0; i < bound.Count; i++)
        {
            Column column = keyColumns[i] with { Nullable = true };
            ValidateValue(column, bound.GetValue(i), paramName);
            KeyEncoding.Append(key, bound.GetValue(i));
        }
        return key.ToArray();
    }
}
