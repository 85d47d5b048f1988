using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Wal.Tests;

/// <summary>One writer appending, committing and checkpointing while readers on other threads look pages up.</summary>
public sealed class ConcurrencyTests
{
    private const int PageCount = 8;
    private const int ReaderCount = 4;
    private const int MinCommits = 20;
    private const long MinReads = ReaderCount * 10L;

    /// <summary>
    /// Every commit rewrites all pages with the next version. A reader must see one version on every page of its
    /// snapshot (never a mix, never a torn or overwritten image), including while checkpoints copy pages and the log
    /// restarts over the frames it may be reading.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void Readers_on_four_threads_see_whole_consistent_snapshots_while_the_writer_commits(bool compress)
    {
        using var harness = new WalHarness(compress: compress);
        for (uint page = 0; page < PageCount; page++)
            harness.Database.Pages[page] = Image(page, version: 0);
        var registry = new ReaderRegistry(ReaderCount);
        var failures = new ConcurrentQueue<string>();
        using var done = new CancellationTokenSource();
        var reads = new StrongBox<long>(); // counted as the readers go, so the writer sees when they ran
        Thread[] readers = new Thread[ReaderCount];
        for (int i = 0; i < ReaderCount; i++)
        {
            int slot = i;
            readers[i] = new Thread(() => ReadUntil(harness, registry, slot, failures, reads, done.Token));
            readers[i].Start();
        }
        int commits = WriteFor(harness, registry, TimeSpan.FromMilliseconds(TestSeed.LongRun ? 20_000 : 1_500),
            readersRan: () => Interlocked.Read(ref reads.Value) > MinReads);
        done.Cancel();
        foreach (Thread reader in readers)
            reader.Join();
        Assert.That(failures, Is.Empty);
        Assert.That(commits, Is.GreaterThan(MinCommits));
        Assert.That(Interlocked.Read(ref reads.Value), Is.GreaterThan(MinReads), "the readers ran");
        TestContext.Out.WriteLine($"{commits} commits, {reads.Value} snapshot reads of {PageCount} pages");
    }

    /// <summary>
    /// Commits for <paramref name="duration"/>, and on (up to a minute) until there were more than
    /// <see cref="MinCommits"/> commits and the readers ran: on a loaded machine the readers' threads may start late.
    /// </summary>
    private static int WriteFor(WalHarness harness, ReaderRegistry registry, TimeSpan duration, Func<bool> readersRan)
    {
        var clock = Stopwatch.StartNew();
        int version = 0;
        while (clock.Elapsed < duration || ((version <= MinCommits || !readersRan()) && clock.Elapsed < TimeSpan.FromMinutes(1)))
        {
            version++;
            for (uint page = 0; page < PageCount - 1; page++)
                harness.Wal.Append(new PageNumber(page), Image(page, version));
            harness.Wal.Commit(new PageNumber(PageCount - 1), Image(PageCount - 1, version), PageCount, sync: false);
            if (version % 7 == 0)
                harness.Wal.Checkpoint(harness.Database, registry.Oldest(harness.Wal.LastCommit), truncate: version % 70 == 0);
        }
        return version;
    }

    private static void ReadUntil(WalHarness harness, ReaderRegistry registry, int slot, ConcurrentQueue<string> failures, StrongBox<long> reads, CancellationToken done)
    {
        while (!done.IsCancellationRequested && failures.IsEmpty)
        {
            WalMark mark = registry.Begin(slot, harness.Wal);
            int? snapshotVersion = null;
            for (uint page = 0; page < PageCount; page++)
            {
                byte[]? image = harness.Read(page, mark);
                string? problem = image is null ? "missing" : Check(image, page, ref snapshotVersion);
                if (problem is not null)
                    failures.Enqueue($"reader {slot}, mark {mark}, page {page}: {problem}");
            }
            registry.End(slot);
            Interlocked.Increment(ref reads.Value);
        }
    }

    /// <summary>Page <paramref name="page"/> at <paramref name="version"/>: both recorded, and every other byte derived from them.</summary>
    private static byte[] Image(uint page, int version)
    {
        byte[] image = new byte[4096];
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), page);
        BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(8), version);
        for (int i = 16; i < image.Length; i++)
            image[i] = (byte)(page * 7 + version * 13 + i / 97);
        return image;
    }

    private static string? Check(byte[] image, uint page, ref int? snapshotVersion)
    {
        int version = BinaryPrimitives.ReadInt32LittleEndian(image.AsSpan(8));
        if (!image.AsSpan().SequenceEqual(Image(page, version)))
            return $"torn image (version {version})";
        snapshotVersion ??= version;
        return version == snapshotVersion ? null : $"version {version} in a snapshot of version {snapshotVersion}";
    }

    /// <summary>The engine's part: which readers are active at which mark. The lock protects <see cref="_marks"/>.</summary>
    private sealed class ReaderRegistry(int slots)
    {
        private readonly Lock _lock = new();
        private readonly WalMark?[] _marks = new WalMark?[slots];

        public WalMark Begin(int slot, WriteAheadLog wal)
        {
            lock (_lock)
                return (_marks[slot] = wal.LastCommit).Value;
        }

        public void End(int slot)
        {
            lock (_lock)
                _marks[slot] = null;
        }

        public WalMark Oldest(WalMark last)
        {
            lock (_lock)
            {
                WalMark oldest = last;
                foreach (WalMark? mark in _marks)
                {
                    if (mark is { } m)
                        oldest = WalMark.Min(oldest, m);
                }
                return oldest;
            }
        }
    }
}
