using BenchmarkDotNet.Attributes;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// The buffer pool's two paths: a hit (Pin and Dispose of a cached page: one lock, one lookup, a queue move; should
/// allocate nothing) and a miss that evicts (a scan over twice the pool's pages, so every pin evicts and loads). The
/// loader only clears the page, so the figures are the pool's own cost, not I/O.
/// </summary>
[MemoryDiagnoser]
public class BufferPoolBenchmarks : IDisposable
{
    private const int PageSize = 4096;
    private const int Frames = 1024;

    private readonly ClearingLoader _loader = new();
    private BufferPool _pool = null!;
    private uint _hitPage;
    private uint _scanPage;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new BufferPool(PageSize, (long)Frames * PageSize);
        for (uint page = 0; page < Frames; page++)
            _pool.Pin(PageKey.FromFile(new PageNumber(page)), _loader).Dispose();
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    /// <inheritdoc/>
    public void Dispose()
    {
        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public byte HitPinDispose()
    {
        _hitPage = (_hitPage + 1) % 64;
        using PageHandle handle = _pool.Pin(PageKey.FromFile(new PageNumber(_hitPage)), _loader);
        return handle.Data[0];
    }

    [Benchmark]
    public byte MissWithEviction()
    {
        _scanPage = Frames + (_scanPage + 1) % (2 * Frames);
        using PageHandle handle = _pool.Pin(PageKey.FromFile(new PageNumber(_scanPage)), _loader);
        return handle.Data[0];
    }

    private sealed class ClearingLoader : IPageLoader
    {
        public void Load(PageKey key, Span<byte> destination) => destination.Clear();
    }
}
