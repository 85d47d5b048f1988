using System.Buffers.Binary;

namespace PageDb.Replication.Tests;

/// <summary>
/// The model the replication tests check restored and replicated databases against: commit i (from 1) adds key i to
/// tree "log" and sets the key "last" to i, so the state after n commits is exactly keys 1..n plus "last" = n, and any
/// state read back names the commit it is the state of.
/// </summary>
internal static class CommitLog
{
    private const string TreeName = "log";
    private static readonly byte[] LastKey = "last"u8.ToArray();

    /// <summary>Commits number <paramref name="n"/> (the previous commits being 1..n-1).</summary>
    public static void Commit(PageDatabase database, long n)
    {
        using WriteTransaction transaction = database.BeginWrite();
        Tree tree = transaction.GetOrCreateTree(TreeName);
        tree.Put(Key(n), Value(n));
        tree.Put(LastKey, Key(n));
        transaction.Commit();
    }

    /// <summary>The commit whose state <paramref name="database"/> holds; fails unless it is exactly that state.</summary>
    public static long CommitOf(PageDatabase database, string context)
    {
        using ReadTransaction transaction = database.BeginRead();
        return CommitOf(transaction, context);
    }

    /// <summary>The commit whose state <paramref name="transaction"/> sees; fails unless it is exactly that state.</summary>
    public static long CommitOf(ReadTransaction transaction, string context)
    {
        if (!transaction.TryGetTree(TreeName, out Tree? tree))
            return 0;
        byte[] last = tree.Get(LastKey) ?? throw new InvalidDataException($"{context}: the log has no 'last' key");
        long n = BinaryPrimitives.ReadInt64BigEndian(last);
        if (tree.Count != n + 1)
            throw new InvalidDataException($"{context}: 'last' says commit {n}, but the tree holds {tree.Count - 1} commit keys");
        foreach (long i in new[] { 1, n / 2, n })
        {
            if (i >= 1 && !Value(i).AsSpan().SequenceEqual(tree.Get(Key(i))))
                throw new InvalidDataException($"{context}: key {i} of commit {n} is missing or wrong");
        }
        return n;
    }

    private static byte[] Key(long n)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, n);
        return key;
    }

    private static byte[] Value(long n) => [.. Key(n), .. new byte[(int)(n % 200)]];
}
