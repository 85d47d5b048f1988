using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using PageDb.Btree;
using PageDb.Core.Pages;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// The B+tree alone over in-memory pages: 1M inserts in key order and in random order, 1M random gets, a full
/// cursor scan and a bulk load; 8-byte big-endian keys, 8-byte values; figures are per entry.
/// </summary>
[MemoryDiagnoser]
public class BTreeBenchmarks
{
    private const int Entries = 1_000_000;
    private readonly byte[] _value = new byte[8];
    private byte[][] _sequential = [];
    private byte[][] _shuffled = [];
    private MemoryPageAccessor _pages = new();
    private BTree _tree = null!;
    private BTree _loaded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sequential = new byte[Entries][];
        for (int i = 0; i < Entries; i++)
        {
            _sequential[i] = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(_sequential[i], i);
        }
        _shuffled = (byte[][])_sequential.Clone();
        new Random(42).Shuffle(_shuffled);
        var loadedPages = new MemoryPageAccessor();
        _loaded = new BTree(loadedPages, BTree.Create(loadedPages));
        foreach (byte[] key in _shuffled)
            _loaded.Put(key, _value);
        Console.WriteLine($"// random load: {BTreeVerifier.Verify(loadedPages, _loaded.Root)}");
    }

    [IterationSetup(Targets = [nameof(SequentialInsert), nameof(RandomInsert), nameof(BulkLoad)])]
    public void FreshTree()
    {
        _pages = new MemoryPageAccessor();
        _tree = new BTree(_pages, BTree.Create(_pages));
    }

    [Benchmark(OperationsPerInvoke = Entries)]
    public void SequentialInsert()
    {
        foreach (byte[] key in _sequential)
            _tree.Put(key, _value);
    }

    [Benchmark(OperationsPerInvoke = Entries)]
    public void RandomInsert()
    {
        foreach (byte[] key in _shuffled)
            _tree.Put(key, _value);
    }

    [Benchmark(OperationsPerInvoke = Entries)]
    public uint BulkLoad()
    {
        using var loader = new BTreeBulkLoader(_pages);
        foreach (byte[] key in _sequential)
            loader.Add(key, _value);
        return loader.Complete().Value;
    }

    [Benchmark(OperationsPerInvoke = Entries)]
    public int RandomGet()
    {
        int found = 0;
        foreach (byte[] key in _shuffled)
            found += _loaded.ContainsKey(key) ? 1 : 0;
        return found;
    }

    [Benchmark(OperationsPerInvoke = Entries)]
    public long RandomGetValue()
    {
        long bytes = 0;
        foreach (byte[] key in _shuffled)
            bytes += _loaded.Get(key)!.Length;
        return bytes;
    }

    [Benchmark(OperationsPerInvoke = Entries)]
    public long CursorScan()
    {
        long sum = 0;
        using BTreeCursor cursor = _loaded.OpenCursor();
        for (bool ok = cursor.SeekFirst(); ok; ok = cursor.Next())
            sum += cursor.Key[7] + cursor.Value.Length;
        return sum;
    }
}
