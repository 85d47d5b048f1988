using BenchmarkDotNet.Attributes;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// The buffer pool's hit path (pin and unpin a cached page) and its miss path (load into an evicted frame), with a
/// loader that only clears the frame, so the figures are the pool's own cost.
/// </summary>
[MemoryDiagnoser]
public class BufferPoolBenchmarks : IDisposable
{
    private const int Frames = 1024;
    private readonly BufferPool _pool = new(4096, Frames * 4096L);
    private readonly ClearingLoader _loader = new();
    private uint _next;

    [GlobalSetup]
    public void Setup()
    {
        for (uint page = 0; page < Frames / 2; page++)
            _pool.Pin(PageKey.FromFile(new PageNumber(page)), _loader).Dispose();
    }

    /// <summary>Pin and unpin one of 512 cached pages.</summary>
    [Benchmark]
    public byte Hit()
    {
        _next = (_next + 1) & 511;
        using PageHandle handle = _pool.Pin(PageKey.FromFile(new PageNumber(_next)), _loader);
        return handle.Data[0];
    }

    /// <summary>Pin a page never seen before: a frame is evicted and the loader runs.</summary>
    [Benchmark]
    public byte MissWithEviction()
    {
        _next++;
        using PageHandle handle = _pool.Pin(PageKey.FromFile(new PageNumber(100_000 + _next)), _loader);
        return handle.Data[0];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _pool.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class ClearingLoader : IPageLoader
    {
        public void Load(PageKey key, Span<byte> destination) => destination.Clear();
    }
}
