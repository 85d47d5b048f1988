using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using PageDb.Testing;

namespace PageDb.CrashTests.Harness;

/// <summary>
/// The expected contents of a database: trees of byte keys and values, plus a digest of all of it kept up to date
/// with every change, so a recovered database can be compared with many candidate commits at the cost of one number
/// each. The digest is the sum (mod 2^64) of a 64-bit hash of every tree name and every (tree, key, value) entry, so it
/// does not depend on the order of changes, only on the contents.
/// </summary>
internal sealed class WorkloadModel
{
    private readonly Dictionary<string, SortedDictionary<byte[], byte[]>> _trees = new(StringComparer.Ordinal);

    /// <summary>The digest of the contents (see the class summary).</summary>
    public ulong Digest { get; private set; }

    public IReadOnlyDictionary<string, SortedDictionary<byte[], byte[]>> Trees => _trees;

    public bool HasTree(string name) => _trees.ContainsKey(name);

    public void CreateTree(string name)
    {
        _trees.Add(name, new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance));
        Digest += TreeHash(name);
    }

    public void DropTree(string name)
    {
        foreach ((byte[] key, byte[] value) in _trees[name])
            Digest -= EntryHash(name, key, value);
        _trees.Remove(name);
        Digest -= TreeHash(name);
    }

    public void Put(string tree, byte[] key, byte[] value)
    {
        SortedDictionary<byte[], byte[]> entries = _trees[tree];
        if (entries.TryGetValue(key, out byte[]? old))
            Digest -= EntryHash(tree, key, old);
        entries[key] = value;
        Digest += EntryHash(tree, key, value);
    }

    public bool Delete(string tree, byte[] key)
    {
        if (!_trees[tree].Remove(key, out byte[]? old))
            return false;
        Digest -= EntryHash(tree, key, old);
        return true;
    }

    /// <summary>A copy sharing the (immutable) key and value arrays.</summary>
    public WorkloadModel Clone()
    {
        var copy = new WorkloadModel { Digest = Digest };
        foreach ((string name, SortedDictionary<byte[], byte[]> entries) in _trees)
            copy._trees.Add(name, new SortedDictionary<byte[], byte[]>(entries, ByteArrayComparer.Instance));
        return copy;
    }

    /// <summary>Reads everything <paramref name="transaction"/> sees into a model.</summary>
    public static WorkloadModel Load(ReadTransaction transaction)
    {
        var model = new WorkloadModel();
        foreach (string name in transaction.TreeNames)
        {
            model.CreateTree(name);
            Tree tree = transaction.GetTree(name);
            long count = 0;
            using (Cursor cursor = tree.OpenCursor())
            {
                for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
                {
                    model.Put(name, cursor.Key.ToArray(), cursor.Value.ToArray());
                    count++;
                }
            }
            if (count != tree.Count)
                throw new InvalidOperationException($"tree '{name}' counts {tree.Count} entries but a cursor finds {count}");
        }
        return model;
    }

    /// <summary>Reads the latest committed state of <paramref name="database"/>.</summary>
    public static WorkloadModel Load(PageDatabase database)
    {
        using ReadTransaction transaction = database.BeginRead();
        return Load(transaction);
    }

    /// <summary>The first difference from <paramref name="expected"/>, for failure messages; null when equal.</summary>
    public string? FirstDifferenceFrom(WorkloadModel expected)
    {
        foreach (string name in expected._trees.Keys.Union(_trees.Keys).Order(StringComparer.Ordinal))
        {
            if (!_trees.TryGetValue(name, out SortedDictionary<byte[], byte[]>? actual))
                return $"tree '{name}' is missing";
            if (!expected._trees.TryGetValue(name, out SortedDictionary<byte[], byte[]>? wanted))
                return $"tree '{name}' should not exist";
            foreach (byte[] key in wanted.Keys.Union(actual.Keys, ByteArrayComparer.Instance).Order(ByteArrayComparer.Instance))
            {
                bool has = actual.TryGetValue(key, out byte[]? value);
                bool should = wanted.TryGetValue(key, out byte[]? expectedValue);
                if (has != should || (has && !value.AsSpan().SequenceEqual(expectedValue)))
                    return $"tree '{name}' key {Convert.ToHexString(key)}: " + (has ? should ? "wrong value" : "should be absent" : "missing");
            }
        }
        return null;
    }

    public override string ToString() =>
        $"{_trees.Count} trees, {_trees.Values.Sum(t => t.Count)} entries, digest {Digest:x16}";

    private static ulong TreeHash(string name) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("tree:" + name));

    private static ulong EntryHash(string tree, byte[] key, byte[] value)
    {
        byte[] name = Encoding.UTF8.GetBytes(tree);
        var bytes = new byte[8 + name.Length + key.Length + value.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, name.Length);
        name.CopyTo(bytes, 4);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 + name.Length), key.Length);
        key.CopyTo(bytes, 8 + name.Length);
        value.CopyTo(bytes, 8 + name.Length + key.Length);
        return XxHash64.HashToUInt64(bytes);
    }
}
