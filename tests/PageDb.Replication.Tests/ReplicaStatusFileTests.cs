using System.Text;
using PageDb.Replication.Tests.FaultInjection;
using PageDb.Testing;

namespace PageDb.Replication.Tests;

/// <summary>
/// The status file a replicating process publishes beside its database (<see cref="ReplicaStatusFile"/>): it follows
/// the replicator through a store failure and back, goes away on a clean close, and a damaged or hostile one reads as
/// unreadable with a reason, never an exception.
/// </summary>
public sealed class ReplicaStatusFileTests
{
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-replica-status-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void The_status_file_shows_a_failing_store_s_error_and_growing_lag_then_the_recovery_and_a_clean_close_removes_it()
    {
        int seed = TestSeed.Next();
        string path = Path.Combine(_scratch, "source.pagedb");
        string statusPath = ReplicaStatusFile.PathFor(path);
        var faulty = new FaultInjectingReplicaStore(new FolderReplicaStore(Path.Combine(_scratch, "store")), seed);
        PageDatabase database = ReplicatorTests.OpenReplicated(faulty, path);
        try
        {
            CommitLog.Commit(database, 1);
            ReplicaStatus caughtUp = WaitForStatus(statusPath, s => s.LagCommits == 0 && s.LastShippedAt is not null);
            faulty.FailureRate = 1;
            CommitLog.Commit(database, 2);
            ReplicaStatus failing = WaitForStatus(statusPath, s => s.LastError is not null && s.LagCommits == 1);
            CommitLog.Commit(database, 3);
            CommitLog.Commit(database, 4);
            ReplicaStatus further = WaitForStatus(statusPath, s => s.LagCommits == 3);
            faulty.FailureRate = 0;
            ReplicaStatus recovered = WaitForStatus(statusPath, s => s.LastError is null && s.LagCommits == 0);

            Assert.That(caughtUp.LastError, Is.Null, TestSeed.Describe(seed));
            Assert.That(caughtUp.BehindSince, Is.Null, TestSeed.Describe(seed));
            Assert.That(failing.LastError, Does.Contain("injected failure"), TestSeed.Describe(seed));
            Assert.That(failing.BehindSince, Is.Not.Null, TestSeed.Describe(seed));
            Assert.That(further.LagBytes, Is.GreaterThan(failing.LagBytes), TestSeed.Describe(seed));
            Assert.That(further.LastError, Does.Contain("injected failure"), TestSeed.Describe(seed));
            Assert.That(recovered.LagBytes, Is.Zero, TestSeed.Describe(seed));
            Assert.That(recovered.BehindSince, Is.Null, TestSeed.Describe(seed));
            Assert.That(recovered.LastShippedAt, Is.GreaterThan(caughtUp.LastShippedAt!.Value), TestSeed.Describe(seed));
            Assert.That(recovered.Generation, Is.EqualTo(database.GetStats().Replication!.Generation), TestSeed.Describe(seed));
        }
        finally
        {
            database.Dispose();
        }

        Assert.That(File.Exists(statusPath), Is.False, "a clean close deletes the status file");
        Assert.That(Directory.GetFiles(_scratch, "*.tmp"), Is.Empty, "no temporary status file is left");
    }

    [Test]
    public void A_status_file_left_at_open_is_replaced()
    {
        string path = Path.Combine(_scratch, "source.pagedb");
        string statusPath = ReplicaStatusFile.PathFor(path);
        File.WriteAllText(statusPath, "left by a killed process");

        using PageDatabase database = ReplicatorTests.OpenReplicated(new FolderReplicaStore(Path.Combine(_scratch, "store")), path);

        ReplicaStatus status = WaitForStatus(statusPath, s => s.Generation is not null);
        Assert.That(status.WrittenAt, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1)));
    }

    [Test]
    public void A_status_file_reads_back_as_written()
    {
        string statusPath = Path.Combine(_scratch, "db.pagedb-replica-status");
        var written = new ReplicaStatus(new DateTimeOffset(2026, 12, 7, 0, 40, 1, 234, TimeSpan.Zero), "20261207T004001234Z-3fa9c2d1",
            7, 12_288, new DateTimeOffset(2026, 12, 7, 0, 39, 59, TimeSpan.Zero), null, "the store said no\r\non two lines",
            "continued generation 20261207T004001234Z-3fa9c2d1 after segment 3");

        ReplicaStatusFile.Write(statusPath, written);
        ReplicaStatus? read = ReplicaStatusFile.TryRead(statusPath, out string? unreadable);

        Assert.That(unreadable, Is.Null);
        Assert.That(read, Is.EqualTo(written with { LastError = "the store said no on two lines" }));
    }

    [Test]
    public void A_status_file_written_before_the_resume_line_reads_without_it()
    {
        string statusPath = Path.Combine(_scratch, "db.pagedb-replica-status");
        File.WriteAllText(statusPath, "pagedb-replica-status 1\nwritten-at 2026-12-07T00:40:01.2340000+00:00\ngeneration -\nlag-commits -1\n"
            + "lag-bytes 0\nbehind-since -\nlast-shipped-at -\nlast-error \n");

        ReplicaStatus? read = ReplicaStatusFile.TryRead(statusPath, out string? unreadable);

        Assert.That(unreadable, Is.Null);
        Assert.That(read!.Resume, Is.Null);
    }

    [TestCase("", TestName = "An empty status file is unreadable")]
    [TestCase("pagedb-replica-status 2\n", TestName = "A status file of another version is unreadable")]
    [TestCase("pagedb-replica-status 1\nwritten-at -\n", TestName = "A truncated status file is unreadable")]
    [TestCase("pagedb-replica-status 1\nwritten-at 2026-12-07T00:40:01.2340000+00:00\ngeneration -\nlag-commits lots\nlag-bytes 0\nbehind-since -\nlast-shipped-at -\nlast-error \n",
        TestName = "A status file with a number that does not parse is unreadable")]
    [TestCase("pagedb-replica-status 1\nwritten-at 2026-12-07T00:40:01.2340000+00:00\ngeneration -\nlag-bytes 0\nlag-commits 0\nbehind-since -\nlast-shipped-at -\nlast-error \n",
        TestName = "A status file with its keys out of order is unreadable")]
    public void A_damaged_status_file_is_unreadable_with_a_reason(string text)
    {
        string statusPath = Path.Combine(_scratch, "db.pagedb-replica-status");
        File.WriteAllText(statusPath, text);

        ReplicaStatus? read = ReplicaStatusFile.TryRead(statusPath, out string? unreadable);

        Assert.That(read, Is.Null);
        Assert.That(unreadable, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public void A_status_file_larger_than_the_bound_is_unreadable_without_reading_it_all()
    {
        string statusPath = Path.Combine(_scratch, "db.pagedb-replica-status");
        using (FileStream stream = File.Create(statusPath))
            stream.SetLength(1L << 30); // sparse: a gigabyte that is never read

        Assert.That(ReplicaStatusFile.TryRead(statusPath, out string? unreadable), Is.Null);
        Assert.That(unreadable, Does.Contain("larger than"));
    }

    [Test]
    public void A_hostile_error_text_is_shown_without_its_control_characters()
    {
        string statusPath = Path.Combine(_scratch, "db.pagedb-replica-status");
        File.WriteAllText(statusPath, "pagedb-replica-status 1\nwritten-at 2026-12-07T00:40:01.2340000+00:00\ngeneration -\nlag-commits -1\n"
            + "lag-bytes 0\nbehind-since -\nlast-shipped-at -\nlast-error \u001b[2Jgone\u0007\n");

        ReplicaStatus? read = ReplicaStatusFile.TryRead(statusPath, out string? unreadable);

        Assert.That(unreadable, Is.Null);
        Assert.That(read!.LastError, Is.EqualTo("?[2Jgone?"));
    }

    /// <summary>Random damage to a valid status file (bytes flipped, cut short, lengthened) never throws.</summary>
    [Test]
    public void Randomly_damaged_status_files_read_as_a_status_or_unreadable_and_never_throw()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        string statusPath = Path.Combine(_scratch, "db.pagedb-replica-status");
        ReplicaStatusFile.Write(statusPath, new ReplicaStatus(DateTimeOffset.UtcNow, "g", 3, 4096, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "e"));
        byte[] valid = File.ReadAllBytes(statusPath);
        for (int i = 0; i < 500; i++)
        {
            byte[] damaged = valid[..random.Next(valid.Length + 1)];
            for (int flips = random.Next(1, 4); flips > 0 && damaged.Length > 0; flips--)
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            File.WriteAllBytes(statusPath, damaged);

            ReplicaStatus? read = null;
            string? unreadable = null;
            Assert.DoesNotThrow(() => read = ReplicaStatusFile.TryRead(statusPath, out unreadable), $"{TestSeed.Describe(seed)}, case {i}: {Encoding.UTF8.GetString(damaged)}");
            Assert.That(read is null != (unreadable is null), $"{TestSeed.Describe(seed)}, case {i}: a status or a reason");
        }
    }

    private static ReplicaStatus WaitForStatus(string statusPath, Func<ReplicaStatus, bool> condition)
    {
        ReplicaStatus? last = null;
        ReplicatorTests.WaitUntil(() => (last = ReplicaStatusFile.TryRead(statusPath, out _)) is { } status && condition(status));
        return last!;
    }
}
