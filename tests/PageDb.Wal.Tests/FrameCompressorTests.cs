using System.Diagnostics;
using PageDb.Core.Pages;

namespace PageDb.Wal.Tests;

/// <summary>Optional zstd frame images (src/PageDb.Wal/FrameCompressor.cs): stored only when smaller; the cost measured.</summary>
public sealed class FrameCompressorTests
{
    [Test]
    public void An_incompressible_page_is_stored_as_it_is()
    {
        using var harness = new WalHarness(compress: true);
        byte[] image = new byte[4096];
        new Random(1).NextBytes(image);
        harness.Wal.Commit(new PageNumber(1), image, 2, sync: false);
        Assert.That(harness.Wal.LogBytes, Is.EqualTo(WalFormat.HeaderSize + WalFormat.FrameSize(4096)));
        byte[] read = new byte[4096];
        Assert.That(harness.Wal.TryReadFrame(harness.Wal.FindFrame(new PageNumber(1), harness.Wal.LastCommit), read), Is.True);
        Assert.That(read, Is.EqualTo(image));
    }

    /// <summary>WAL bytes and time per one-page commit of a B-tree-leaf-like page, with and without compression.</summary>
    [Test]
    public void Compression_shrinks_the_log_of_leaf_like_pages()
    {
        (double plainBytes, double plainMicros) = Measure(compress: false);
        (double zstdBytes, double zstdMicros) = Measure(compress: true);
        TestContext.Out.WriteLine($"leaf-like page, 1 page per commit: plain {plainBytes:F0} B/commit {plainMicros:F1} us/commit; " +
            $"zstd {zstdBytes:F0} B/commit {zstdMicros:F1} us/commit");
        Assert.That(zstdBytes, Is.LessThan(plainBytes * 0.8));
    }

    private static (double BytesPerCommit, double MicrosPerCommit) Measure(bool compress)
    {
        const int commits = 2000;
        var random = new Random(42);
        byte[][] images = Enumerable.Range(0, 64).Select(i => Pages.LeafLike(random, 4096, (uint)i + 1)).ToArray();
        using var harness = new WalHarness(compress: compress);
        harness.Wal.Commit(new PageNumber(1), images[0], 100, sync: false);
        long start = harness.Wal.LogBytes;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < commits; i++)
            harness.Wal.Commit(new PageNumber((uint)(i % 64) + 1), images[i % 64], 100, sync: false);
        clock.Stop();
        return ((harness.Wal.LogBytes - start) / (double)commits, clock.Elapsed.TotalMicroseconds / commits);
    }
}
