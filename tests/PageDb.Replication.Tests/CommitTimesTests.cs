using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Wal;

namespace PageDb.Replication.Tests;

/// <summary>
/// The times a segment gives its commits (<see cref="CommitTimes"/>, <see cref="SegmentCut"/>) never go back, even when
/// the wall clock does: the format refuses a segment whose step times decrease, so one such segment made every later
/// one unreadable. And the replicator's polls are not kept while no generation is held to ship them.
/// </summary>
public sealed class CommitTimesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_clock_stepping_back_does_not_take_the_commit_times_back()
    {
        var times = new CommitTimes();
        times.Note(Mark(3), Noon, shipping: true);
        times.Note(Mark(5), Noon - TimeSpan.FromMinutes(10), shipping: true); // the clock stepped back
        times.Note(Mark(8), Noon + TimeSpan.FromSeconds(1), shipping: true);

        DateTimeOffset[] seen = [.. new[] { 3, 5, 8 }.Select(frame => times.SeenBy(Mark(frame), DateTimeOffset.MaxValue))];

        Assert.That(seen, Is.EqualTo(new[] { Noon, Noon, Noon + TimeSpan.FromSeconds(1) }));
    }

    [Test]
    public void Polls_are_not_kept_while_no_generation_is_held()
    {
        var times = new CommitTimes();
        times.Note(Mark(3), Noon, shipping: true);
        for (int poll = 1; poll <= 1000; poll++)
            times.Note(Mark(3 + poll), Noon + TimeSpan.FromMilliseconds(20 * poll), shipping: false); // the store is down

        DateTimeOffset otherwise = Noon + TimeSpan.FromHours(1);
        Assert.That(times.SeenBy(Mark(3), otherwise), Is.EqualTo(otherwise), "the poll before was forgotten too");
        Assert.That(times.SeenBy(Mark(500), otherwise), Is.EqualTo(otherwise));
        times.Note(Mark(2000), Noon + TimeSpan.FromMinutes(2), shipping: true);
        Assert.That(times.SeenBy(Mark(1500), otherwise), Is.EqualTo(Noon + TimeSpan.FromMinutes(2)));
    }

    /// <summary>
    /// A segment cut commit by commit whose times, as given, go back (a continued generation's catch-up at the open's
    /// time, then polls from a clock stepped back) still decodes, its step times never decreasing.
    /// </summary>
    [Test]
    public void A_segment_cut_from_times_that_go_back_decodes_with_times_in_order()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-committimes-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            using PageDatabase database = PageDatabase.Open(Path.Combine(directory, "source.pagedb"));
            var source = new ReplicationSource(database);
            using HeldSnapshot from = source.Hold();
            for (long n = 1; n <= 4; n++)
                CommitLog.Commit(database, n);
            using HeldSnapshot to = source.Hold();
            int asked = 0;

            (ArraySegment<byte> bytes, _, SegmentInfo info) = SegmentCut.Encode(source, from, to, new SegmentInfo(1, 0, Noon, 0, 0),
                ([PageNumber.Header], 2, Noon - TimeSpan.FromSeconds(1)), _ => Noon - TimeSpan.FromSeconds(10 * ++asked), new DatabaseStateHash(), commitsInOne: null, queue: null, new SegmentBuffer(0));
            Segment segment = SegmentFormat.Decode(bytes.ToArray(), "g/1.segment", source.PageSize);

            Assert.That(asked, Is.EqualTo(4));
            Assert.That(segment.Steps.Select(s => s.Commits), Is.EqualTo(new long[] { 2, 3, 4, 5, 6 }));
            Assert.That(segment.Steps.Select(s => s.At), Is.All.EqualTo(Noon - TimeSpan.FromSeconds(1)));
            Assert.That(info.Commits, Is.EqualTo(6));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static WalMark Mark(long frame) => new(new FrameIndex(frame));
}
