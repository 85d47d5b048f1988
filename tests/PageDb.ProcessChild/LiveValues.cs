using System.Buffers.Binary;

namespace PageDb.ProcessChild;

/// <summary>The keys and values the writer child commits and the tests check (linked into the test projects).</summary>
public static class LiveValues
{
    public const string TreeName = "live";

    /// <summary>The table the table-writer child keeps at the last <see cref="RowsKept"/> commits: row n is (n, 31 n).</summary>
    public const string TableName = "rows";

    public const int RowsKept = 64;

    public static ReadOnlySpan<byte> CounterKey => "counter"u8;

    private static readonly TableSchema s_rowsSchema = new(TableName,
        [new Column("id", ColumnType.Int64), new Column("check", ColumnType.Int64)], primaryKey: ["id"]);

    public static byte[] ValueKey(long n) => System.Text.Encoding.ASCII.GetBytes($"v/{n:D12}");

    /// <summary>Commit n's value: 600 bytes that name n, so a value from another commit never passes.</summary>
    public static byte[] Value(long n)
    {
        var value = new byte[600];
        for (int i = 0; i < value.Length; i += 8)
            BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(i), n * 31 + i);
        return value;
    }

    public static byte[] Encode(long n)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, n);
        return bytes;
    }

    /// <summary>
    /// Commit <paramref name="n"/>: puts its value under "v/n", deletes "v/(n-64)" and sets the counter to n, and
    /// <paramref name="withRow"/> also inserts row n of <see cref="TableName"/> and deletes row n-64, in one transaction.
    /// </summary>
    public static void Commit(PageDatabase db, long n, bool withRow = false)
    {
        using WriteTransaction tx = db.BeginWrite();
        Tree tree = tx.GetOrCreateTree(TreeName);
        tree.Put(ValueKey(n), Value(n));
        tree.Delete(ValueKey(n - 64));
        tree.Put(CounterKey, Encode(n));
        if (withRow)
        {
            Table rows = tx.TryGetTable(TableName, out Table? table) ? table : tx.CreateTable(s_rowsSchema);
            rows.Insert(Row.Of(n, 31 * n));
            rows.Delete(Row.Of(n - RowsKept));
        }
        tx.Commit();
    }

    /// <summary>The counter of <paramref name="db"/>'s latest snapshot, 0 in a new database.</summary>
    public static long ReadCounter(PageDatabase db)
    {
        using ReadTransaction tx = db.BeginRead();
        if (!tx.TryGetTree(TreeName, out Tree? tree))
            return 0;
        byte[]? bytes = tree.Get(CounterKey);
        return bytes is null ? 0 : BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    /// <summary>A digest (FNV-1a, 64 bits) of every key and value of the tree in <paramref name="db"/>'s latest snapshot.</summary>
    public static ulong Digest(PageDatabase db)
    {
        using ReadTransaction tx = db.BeginRead();
        ulong hash = 14695981039346656037;
        if (!tx.TryGetTree(TreeName, out Tree? tree))
            return hash;
        foreach ((byte[] key, byte[] value) in tree.Range(from: null, to: null))
        {
            foreach (byte b in key)
                hash = (hash ^ b) * 1099511628211;
            foreach (byte b in value)
                hash = (hash ^ b) * 1099511628211;
        }
        return hash;
    }
}
