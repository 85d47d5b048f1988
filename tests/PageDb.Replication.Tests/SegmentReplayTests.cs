using PageDb.Engine;

namespace PageDb.Replication.Tests;

/// <summary>
/// <see cref="SegmentReplay"/> skips steps only for a database inside the segment (steps applied before): a step whose
/// commits equal the previous object's (a catch-up step standing for no commit, allowed by <see cref="SegmentFormat"/>
/// invariant 2) is applied to a database at the previous object.
/// </summary>
public sealed class SegmentReplayTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-replay-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void A_step_with_the_previous_objects_commits_is_applied_at_that_object()
    {
        string replicaPath = Path.Combine(_scratch, "replica.pagedb");
        using PageDatabase source = PageDatabase.Open(Path.Combine(_scratch, "source.pagedb"), new PageDbOptions { Durability = Durability.Normal });
        for (long n = 1; n <= 4; n++)
            CommitLog.Commit(source, n);
        source.Backup(replicaPath);
        var replication = new ReplicationSource(source);
        using HeldSnapshot before = replication.Hold();
        CommitLog.Commit(source, 5);
        using HeldSnapshot after = replication.Hold();
        // A catch-up step holding commit 5's pages but standing for no commit: its commits are the object's (4).
        (ArraySegment<byte> bytes, _, _) = SegmentCut.Encode(replication, after, after, new SegmentInfo(1, 0, Noon, 4, 0),
            (replication.ChangedPages(before, after), 0, Noon), _ => Noon, new DatabaseStateHash(), null, null, new SegmentBuffer(0));
        Segment segment = SegmentFormat.Decode(bytes.ToArray(), "segment", replication.PageSize);
        Assert.That(segment.Steps.Single().Commits, Is.EqualTo(4));

        using PageDatabase replica = PageDatabase.Open(replicaPath);
        ReplayResult atObject = SegmentReplay.Run(replica, segment, "segment", 4, appliedInPart: false, _ => true);
        ReplayResult inSegment = SegmentReplay.Run(replica, segment, "segment", 4, appliedInPart: true, _ => true);

        Assert.That(inSegment.Last, Is.Null, "inside the segment the step through commit 4 was applied before");
        Assert.That(atObject.Last, Is.Not.Null, "at the object the step is owed");
        Assert.That(atObject.Complete);
        ReplicatedCommit.Apply(replica, atObject.Pages, atObject.DatabaseSize, "segment");
        Assert.That(CommitLog.CommitOf(replica, "replica"), Is.EqualTo(5));
    }
}
