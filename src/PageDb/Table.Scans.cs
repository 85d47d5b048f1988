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

    /// <summary>Encodes a bound (a prefix of the key's columns, nulls allowed) of the primary key or of <paramref name="index"/>.</summary>
    private byte[] EncodeBound(Row bound, TableIndex? index, string paramName)
    {
        int keyColumns = index?.Ordinals.Length ?? Math.Max(Schema.PrimaryKeyOrdinals.Length, 1);
        if (bound.Count == 0 || bound.Count > keyColumns)
            throw new ArgumentException($"A bound has 1 to {keyColumns} values; {bound.Count} given.", paramName);
        ByteBuilder key = KeyBuffer;
        key.Clear();
        for (int i = 0; i < bound.Count; i++)
        {
            Column column = index is not null ? Schema.Columns[index.Ordinals[i]]
                : Schema.HasRowId ? RowIdKeyColumn : Schema.Columns[Schema.PrimaryKeyOrdinals[i]];
            Value value = bound.GetValue(i);
            if (!value.IsNull && value.Type != column.Type)
                ThrowWrongValue(column, value, paramName);
            KeyEncoding.Append(key, value, Layout.KeyFormat);
        }
        return key.ToArray();
    }
}
