using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// One-row write transactions through the public API over memory storage (so no fsync cost): the engine's own commit
/// path, with and without WAL frame compression. Each row is a 8-byte key and a ~120-byte text value, the table rows
/// of the comparison workloads. Prints the WAL bytes written per commit for each setting.
/// </summary>
[MemoryDiagnoser]
public class CommitBenchmarks : IDisposable
{
    private readonly byte[] _key = new byte[8];
    private readonly byte[] _value = System.Text.Encoding.UTF8.GetBytes("name-0000123456 " + new string('p', 100) + " 3.14159");
    private PageDatabase _db = null!;
    private long _next;

    /// <summary>Whether WAL frames are zstd-compressed.</summary>
    [Params(false, true)]
    public bool Compress { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ReportWalBytesPerCommit();
        _db = Open(checkpointThreshold: 4L << 20);
    }

    [GlobalCleanup]
    public void Cleanup() => _db.Dispose();

    /// <summary>Insert one row and commit.</summary>
    [Benchmark]
    public void InsertAndCommit()
    {
        BinaryPrimitives.WriteInt64BigEndian(_key, _next++);
        using WriteTransaction tx = _db.BeginWrite();
        tx.GetTree("rows").Put(_key, _value);
        tx.Commit();
    }

    private PageDatabase Open(long checkpointThreshold)
    {
        PageDatabase db = PageDatabase.OpenInMemory(new PageDbOptions { Durability = Durability.None, CompressWal = Compress, CheckpointThresholdBytes = checkpointThreshold });
        using WriteTransaction tx = db.BeginWrite();
        tx.CreateTree("rows");
        tx.Commit();
        return db;
    }

    /// <summary>WAL growth over 2,000 commits with no checkpoint, printed into the benchmark log.</summary>
    private void ReportWalBytesPerCommit()
    {
        const int Commits = 2000;
        using PageDatabase db = Open(checkpointThreshold: 1L << 40);
        long before = db.GetStats().WalBytes;
        var key = new byte[8];
        for (int i = 0; i < Commits; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(key, i);
            using WriteTransaction tx = db.BeginWrite();
            tx.GetTree("rows").Put(key, _value);
            tx.Commit();
        }
        Console.WriteLine($"// compress={Compress}: {(double)(db.GetStats().WalBytes - before) / Commits:F0} WAL bytes per one-row commit");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _db?.Dispose();
        GC.SuppressFinalize(this);
    }
}
