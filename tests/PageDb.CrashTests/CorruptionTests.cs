using PageDb.CrashTests.Harness;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;

namespace PageDb.CrashTests;

/// <summary>
/// Damaged files: bit flips and garbage bytes in pages of every type, in the file header and in WAL frames; garbage,
/// truncated and empty files. Every outcome must be a <see cref="PageDbException"/> (a
/// <see cref="CorruptDatabaseException"/> naming the page, for a damaged page), or exactly the right data (a WAL cut
/// at the damaged frame, as recovery defines); never wrong data, a hang, or another exception.
/// </summary>
public class CorruptionTests
{
    private const string DbPath = "c/db.pagedb";
    private const string WalPath = DbPath + "-wal";
    private const int PageSize = 4096;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    [Test]
    public void A_damaged_page_of_any_type_is_reported_never_read_as_data()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        (byte[] file, byte[] wal, WorkloadModel expected) = BuildCheckpointedDatabase(seed);
        var pagesByType = new Dictionary<byte, List<int>>();
        for (int page = 0; page < file.Length / PageSize; page++)
        {
            byte type = file[page * PageSize];
            if (!pagesByType.TryGetValue(type, out List<int>? pages))
                pagesByType[type] = pages = [];
            pages.Add(page);
        }
        Assert.That(pagesByType.Keys, Is.SupersetOf(new byte[] { 1, 2, 3, 4, 5 }),
            $"the database lacks a page type (header, leaf, interior, overflow, free-list trunk); {TestSeed.Describe(seed)}");
        int cases = 0, namedPage = 0;
        foreach ((byte type, List<int> pages) in pagesByType)
        {
            int perType = TestSeed.LongRun ? pages.Count : Math.Min(pages.Count, 8);
            foreach (int page in pages.OrderBy(_ => random.Next()).Take(perType))
            {
                for (int damage = 0; damage < 4; damage++)
                {
                    byte[] damaged = (byte[])file.Clone();
                    int offset = page * PageSize + (damage == 0 ? random.Next(16) : random.Next(PageSize));
                    if (damage == 3)
                        damaged[offset] = (byte)(damaged[offset] ^ random.Next(1, 256));
                    else
                        damaged[offset] ^= (byte)(1 << random.Next(8));
                    string context = $"page {page} (type {type}) damaged at byte {offset % PageSize}; {TestSeed.Describe(seed)}";
                    Outcome outcome = OpenAndRead(damaged, wal, context);
                    if (outcome.Error is CorruptDatabaseException { PageNumber: { } named })
                    {
                        Assert.That(named, Is.EqualTo(page), $"the error names another page: {outcome.Error.Message}; {context}");
                        namedPage++;
                    }
                    else if (outcome.Error is null)
                    {
                        Assert.That(outcome.Found!.Digest, Is.EqualTo(expected.Digest), $"wrong data read: {context}");
                        Assert.That(outcome.Integrity!.IsOk, Is.False, $"the integrity check missed the damage: {context}");
                        Assert.That(outcome.Integrity.Problems.Any(p => p.PageNumber == page), Is.True,
                            $"the integrity check does not name the page: {outcome.Integrity}; {context}");
                    }
                    cases++;
                }
            }
        }
        TestContext.Out.WriteLine($"{cases} damaged pages, {namedPage} reported as CorruptDatabaseException naming the page, the rest by the integrity check");
    }

    [Test]
    public void A_damaged_WAL_frame_cuts_the_log_there()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        (byte[] file, byte[] wal, List<(long End, ulong Digest)> commits) = BuildDatabaseInWal(seed);
        long logEnd = commits[^1].End;
        int cases = TestSeed.LongRun ? 2000 : 250;
        for (int i = 0; i < cases; i++)
        {
            long offset = random.Next(4) == 0 ? random.Next(48) : random.NextInt64(48, logEnd + 200);
            byte[] damaged = (byte[])wal.Clone();
            damaged[offset] ^= (byte)(1 << random.Next(8));
            string context = $"WAL byte {offset} flipped (log ends at {logEnd}); {TestSeed.Describe(seed)}";
            Outcome outcome = OpenAndRead(file, damaged, context);
            if (offset < 48)
            {
                Assert.That(outcome.Error, Is.InstanceOf<CorruptDatabaseException>(), $"a damaged WAL header: {context}");
                continue;
            }
            Assert.That(outcome.Error, Is.Null, context);
            ulong expected = ExpectedAt(commits, offset);
            Assert.That(outcome.Found!.Digest, Is.EqualTo(expected), $"found {outcome.Found}: {context}");
            Assert.That(outcome.Integrity!.IsOk, Is.True, $"{outcome.Integrity}: {context}");
        }
    }

    [Test]
    public void Truncated_WALs_recover_the_commits_they_still_hold()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        (byte[] file, byte[] wal, List<(long End, ulong Digest)> commits) = BuildDatabaseInWal(seed);
        for (int i = 0; i < 60; i++)
        {
            long length = random.Next(3) == 0 ? random.Next(60) : random.NextInt64(48, commits[^1].End + 1);
            string context = $"WAL cut to {length} bytes; {TestSeed.Describe(seed)}";
            Outcome outcome = OpenAndRead(file, wal.AsSpan(0, (int)length).ToArray(), context);
            Assert.That(outcome.Error, Is.Null, context);
            ulong expected = length < 48 ? commits[0].Digest : ExpectedAt(commits, length);
            Assert.That(outcome.Found!.Digest, Is.EqualTo(expected), $"found {outcome.Found}: {context}");
        }
    }

    [Test]
    public void Garbage_truncated_and_empty_files_give_clean_errors()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        (byte[] file, byte[] wal, WorkloadModel expected) = BuildCheckpointedDatabase(seed);
        for (int i = 0; i < 60; i++)
        {
            var garbage = new byte[random.Next(1, 4 * PageSize)];
            random.NextBytes(garbage);
            if (random.Next(3) == 0)
                file.AsSpan(0, Math.Min(64, garbage.Length)).CopyTo(garbage); // a believable header, then garbage
            string context = $"garbage database file of {garbage.Length} bytes; {TestSeed.Describe(seed)}";
            Assert.That(OpenAndRead(garbage, null, context).Error, Is.InstanceOf<PageDbException>(), context);

            int cut = random.Next(file.Length);
            context = $"database file cut to {cut} of {file.Length} bytes; {TestSeed.Describe(seed)}";
            Outcome truncated = OpenAndRead(file.AsSpan(0, cut).ToArray(), wal, context);
            if (truncated.Error is null)
                Assert.That(truncated.Found!.Digest, Is.EqualTo(new WorkloadModel().Digest), $"only an empty (all-zero) file may open, as new: {context}");

            var garbageWal = new byte[random.Next(1, 3 * PageSize)];
            random.NextBytes(garbageWal);
            context = $"garbage WAL of {garbageWal.Length} bytes; {TestSeed.Describe(seed)}";
            Outcome withGarbageWal = OpenAndRead(file, garbageWal, context);
            if (withGarbageWal.Error is null)
                Assert.That(withGarbageWal.Found!.Digest, Is.EqualTo(expected.Digest), context);
            else
                Assert.That(withGarbageWal.Error, Is.InstanceOf<CorruptDatabaseException>(), context);
        }
        Outcome empty = OpenAndRead([], null, "an empty database file");
        Assert.That(empty.Error, Is.Null, "an empty file is an unfinished creation: created afresh");
        Assert.That(empty.Found!.Trees, Is.Empty);
        Outcome emptyWal = OpenAndRead(file, [], "an empty WAL");
        Assert.That(emptyWal.Found?.Digest, Is.EqualTo(expected.Digest), emptyWal.Error?.ToString());
    }

    private static ulong ExpectedAt(List<(long End, ulong Digest)> commits, long cut)
    {
        ulong expected = commits[0].Digest; // nothing of the WAL survives: the database file alone (a fresh catalog)
        foreach ((long end, ulong digest) in commits)
        {
            if (end <= cut)
                expected = digest;
        }
        return expected;
    }

    /// <summary>A database closed cleanly (everything checkpointed) with pages of every type, and its contents.</summary>
    private static (byte[] File, byte[] Wal, WorkloadModel Expected) BuildCheckpointedDatabase(int seed)
    {
        var storage = new FaultInjectingStorage();
        var options = new PageDbOptions { Storage = storage, CacheSizeBytes = 64 * PageSize };
        var workload = new Workload(new Random(seed), () => PageDatabase.Open(DbPath, options), new WorkloadModel());
        workload.Open();
        for (int i = 0; i < 30; i++)
            workload.Run(i % 10 == 0 ? WorkloadAction.LargeCommit : WorkloadAction.Commit);
        using (WriteTransaction tx = workload.Database!.BeginWrite())
        {
            // Whatever the seed's workload left, the file must hold overflow pages to damage (seed 714556049 left none).
            byte[] key = "large"u8.ToArray(), value = new byte[3 * PageSize];
            new Random(seed).NextBytes(value);
            tx.GetOrCreateTree("overflowing").Put(key, value);
            tx.Commit();
            if (!workload.Committed.HasTree("overflowing"))
                workload.Committed.CreateTree("overflowing");
            workload.Committed.Put("overflowing", key, value);
        }
        using (WriteTransaction tx = workload.Database.BeginWrite())
        {
            // "deep" stays, with interior pages to damage: the seed's own trees may all fit in one leaf (seed
            // 1914845108), and the pages of "doomed", dropped below to fill the free list, are marked free then.
            if (!workload.Committed.HasTree("deep"))
                workload.Committed.CreateTree("deep");
            Tree deep = tx.GetOrCreateTree("deep");
            Tree doomed = tx.CreateTree("doomed");
            for (int i = 0; i < 400; i++)
            {
                byte[] key = BitConverter.GetBytes(i), value = new byte[300];
                deep.Put(key, value);
                workload.Committed.Put("deep", key, value);
                doomed.Put(key, value);
            }
            tx.Commit();
        }
        using (WriteTransaction tx = workload.Database.BeginWrite())
        {
            tx.DropTree("doomed");
            tx.Commit();
        }
        workload.Database.Dispose();
        return (storage.GetContents(DbPath), storage.GetContents(WalPath), workload.Committed);
    }

    /// <summary>A database whose commits are all still in the WAL, and where each commit ends in it, with its digest.</summary>
    private static (byte[] File, byte[] Wal, List<(long End, ulong Digest)> Commits) BuildDatabaseInWal(int seed)
    {
        var storage = new FaultInjectingStorage();
        var options = new PageDbOptions { Storage = storage, CacheSizeBytes = 64 * PageSize, CheckpointThresholdBytes = 1L << 30 };
        var workload = new Workload(new Random(seed), () => PageDatabase.Open(DbPath, options), new WorkloadModel());
        workload.Open();
        var commits = new List<(long End, ulong Digest)> { (workload.Database!.GetStats().WalBytes, workload.Committed.Digest) };
        for (int i = 0; i < 12; i++)
        {
            workload.Run(i % 5 == 4 ? WorkloadAction.LargeCommit : WorkloadAction.Commit);
            commits.Add((workload.Database.GetStats().WalBytes, workload.Committed.Digest));
        }
        byte[] file = storage.GetContents(DbPath), wal = storage.GetContents(WalPath); // as a crash would leave them
        workload.Abandon();
        return (file, wal, commits);
    }

    private sealed record Outcome(Exception? Error, WorkloadModel? Found, IntegrityReport? Integrity);

    /// <summary>Opens the files, reads everything and checks integrity, within a time limit; returns what happened.</summary>
    private static Outcome OpenAndRead(byte[] file, byte[]? wal, string context)
    {
        var storage = new FaultInjectingStorage();
        storage.SetContents(DbPath, file);
        if (wal is not null)
            storage.SetContents(WalPath, wal);
        var task = Task.Run(() =>
        {
            try
            {
                using PageDatabase db = PageDatabase.Open(DbPath, new PageDbOptions { Storage = storage, CacheSizeBytes = 64 * PageSize });
                WorkloadModel found = WorkloadModel.Load(db);
                return new Outcome(null, found, db.CheckIntegrity());
            }
            catch (PageDbException e)
            {
                return new Outcome(e, null, null);
            }
        });
        Assert.That(task.Wait(CaseTimeout), Is.True, $"hung: {context}");
        return task.Result; // any other exception escapes and fails the test
    }
}
