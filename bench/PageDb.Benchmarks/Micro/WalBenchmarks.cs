using BenchmarkDotNet.Attributes;
using PageDb.Core.Pages;
using PageDb.Wal;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// The write-ahead log over memory storage: appending a one-page commit without sync (with the checkpoint and restart
/// that keeps the log bounded amortized over 1024 commits), and the snapshot lookup and frame read of a reader.
/// </summary>
[MemoryDiagnoser]
public class WalBenchmarks
{
    private const int Pages = 256;
    private const int CommitsPerCheckpoint = 1024;

    private readonly byte[] _image = new byte[4096];
    private readonly byte[] _readBuffer = new byte[4096];
    private readonly NullTarget _target = new();
    private WriteAheadLog _writeLog = null!;
    private WriteAheadLog _readLog = null!;
    private WalMark _oldMark;
    private uint _page;
    private int _commits;

    [Params(false, true)]
    public bool Compress { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_image.AsSpan(0, 2048));
        var options = new WalOptions { PageSize = 4096, DatabaseId = 1, CompressFrames = Compress, SyncEnabled = true };
        _writeLog = WriteAheadLog.Open(new MemoryStorage(), "write.pagedb", options);
        _readLog = WriteAheadLog.Open(new MemoryStorage(), "read.pagedb", options);
        for (int i = 0; i < 4 * Pages; i++)
        {
            _readLog.Commit(new PageNumber((uint)(i % Pages)), _image, Pages, sync: false);
            if (i == 2 * Pages)
                _oldMark = _readLog.LastCommit;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writeLog.Dispose();
        _readLog.Dispose();
    }

    [Benchmark]
    public long CommitOnePageNoSync()
    {
        _page = (_page + 1) % Pages;
        WalMark mark = _writeLog.Commit(new PageNumber(_page), _image, Pages, sync: false);
        if (++_commits % CommitsPerCheckpoint == 0)
            _writeLog.Checkpoint(_target, mark);
        return mark.LastCommitFrame.Value;
    }

    [Benchmark]
    public long FindFrameAtLastCommit()
    {
        _page = (_page + 1) % Pages;
        return _readLog.FindFrame(new PageNumber(_page), _readLog.LastCommit).Value;
    }

    [Benchmark]
    public long FindFrameAtOlderMark()
    {
        _page = (_page + 1) % Pages;
        return _readLog.FindFrame(new PageNumber(_page), _oldMark).Value;
    }

    [Benchmark]
    public bool ReadFrame()
    {
        _page = (_page + 1) % Pages;
        return _readLog.TryReadFrame(_readLog.FindFrame(new PageNumber(_page), _readLog.LastCommit), _readBuffer);
    }

    private sealed class NullTarget : ICheckpointTarget
    {
        public void BeginCopy() { }
        public void WritePage(PageNumber page, ReadOnlySpan<byte> image) { }
        public void SetPageCount(uint pageCount) { }
        public void Sync() { }
    }
}
