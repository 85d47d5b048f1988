using System.Collections.Concurrent;
using System.Diagnostics;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;
using static PageDb.Tests.LatestSnapshotCounts;
using static PageDb.Tests.QuietLog;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// A checkpoint whose range has no frame of page 0 (the commits only grew the database) rewrites the file's own page 0
/// in place with the new page count (docs/FORMAT.md, "Unlogged growth"), while readers and the writer read page 0 from
/// the file: page 0 is never lent from the mapping, and a read that the write tore is read again.
/// </summary>
public class HeaderRewriteBesideReadersTests
{
    [Test]
    public void A_header_read_torn_by_the_checkpoints_rewrite_is_read_again()
    {
        var memory = new MemoryStorage();
        var faulty = new FaultyStorage(memory);
        using PageDatabase db = OpenQuiet(faulty);
        for (int i = 0; i < 200; i++)
            Write(db, tx => tx.GetOrCreateTree("kv").Put(KeyOf(i), new byte[150]));
        db.Checkpoint(CheckpointMode.Truncate); // the log is empty now: every reader takes page 0 from the file
        uint size = SizeOf(db);
        Assert.That(new FileHeaderPageReader(memory.GetContents(DbPath)).PageCount, Is.EqualTo(size), "the checkpoint stamped the file's header");

        int torn = 0;
        faulty.TamperRead = (path, offset, bytes) =>
        {
            if (path == DbPath && offset == 0 && Interlocked.Increment(ref torn) == 1)
                bytes[40] ^= 1; // the old page count beside the new checksum, as a read overlapping the rewrite may see
        };
        using (ReadTransaction read = db.BeginRead())
        {
            using PageHandle header = read.Pages.Read(PageNumber.Header);
            Assert.That(new FileHeaderPageReader(header.Data).PageCount, Is.EqualTo(size));
            Assert.That(read.GetTree("kv").Get(KeyOf(199)), Is.Not.Null);
        }
        faulty.TamperRead = null;
        Assert.That(torn, Is.EqualTo(2), "the first read of page 0 was torn, and the second was whole");
    }

    /// <summary>
    /// The workload the rewrite belongs to, on a real file (mapped reads on): one thread appending (each commit that
    /// starts a leaf grows the database without logging page 0), background checkpoints every few commits, and
    /// reader threads reading page 0 all the while. No reader and no commit may see page 0 damaged.
    /// </summary>
    [Test]
    public void Readers_of_page_0_beside_growing_commits_and_background_checkpoints_never_see_it_damaged()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-header-rewrite-").FullName;
        try
        {
            string path = Path.Combine(directory, "growth.pagedb");
            var failures = new ConcurrentQueue<Exception>();
            long reads = 0;
            using (PageDatabase db = PageDatabase.Open(path, new PageDbOptions { Durability = Durability.Normal, CheckpointThresholdBytes = 32 << 10, BeforeDispose = AssertIntact }))
            {
                Write(db, tx => tx.CreateTree("kv"));
                using var stop = new CancellationTokenSource();
                Thread[] readers = [.. Enumerable.Range(0, 3).Select(n => new Thread(() =>
                {
                    try
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            using (ReadTransaction read = db.BeginRead())
                            {
                                using (PageHandle header = read.Pages.Read(PageNumber.Header))
                                    _ = new FileHeaderPageReader(header.Data).PageCount;
                                _ = read.GetTree("kv").Get(KeyOf(n));
                            }
                            _ = db.GetStats();
                            Interlocked.Increment(ref reads);
                        }
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue(e);
                    }
                }))];
                foreach (Thread reader in readers)
                    reader.Start();
                var clock = Stopwatch.StartNew();
                int rows = 0;
                try
                {
                    while (clock.Elapsed < TimeSpan.FromSeconds(3) && failures.IsEmpty)
                    {
                        int row = rows++;
                        Write(db, tx => tx.GetTree("kv").Put(KeyOf(row), new byte[150]));
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
                stop.Cancel();
                foreach (Thread reader in readers)
                    reader.Join();
                TestContext.Out.WriteLine($"{rows} appends, {Interlocked.Read(ref reads)} reads, {SizeOf(db)} pages");
            }
            Assert.That(failures, Is.Empty, () => string.Join("\n\n", failures));
            Assert.That(reads, Is.GreaterThan(0));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
