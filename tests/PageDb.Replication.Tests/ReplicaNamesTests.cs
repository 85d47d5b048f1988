namespace PageDb.Replication.Tests;

/// <summary><see cref="ReplicaNames"/>: a listing alone gives every generation, its snapshot and its segments in order.</summary>
public sealed class ReplicaNamesTests
{
    [Test]
    public void A_listing_is_parsed_into_generations_oldest_first_with_their_segments()
    {
        DateTimeOffset start = new(2026, 12, 6, 17, 0, 0, 123, TimeSpan.Zero);
        string older = ReplicaNames.NewGeneration(start);
        string newer = ReplicaNames.NewGeneration(start.AddMinutes(1));
        var segment = new SegmentInfo(1, 0, start.AddSeconds(1), 5, 3);
        ReplicaObject[] listing =
        [
            new(ReplicaNames.SnapshotKey(newer, 0xabc), 4096),
            new(ReplicaNames.SnapshotKey(older, 0x123), 8192),
            new(ReplicaNames.SegmentKey(older, segment, 0x456), 100),
            new("unrelated/object", 1),
            new(older + "/notes.txt", 1),
        ];

        List<ReplicaGeneration> generations = ReplicaNames.Parse(listing);

        Assert.That(generations.Select(g => g.Name), Is.EqualTo(new[] { older, newer }));
        Assert.That(generations[0].StartedAt, Is.EqualTo(start));
        Assert.That(generations[0].SnapshotChecksum, Is.EqualTo(0x123));
        Assert.That(generations[0].SegmentsAt(1).Single().Checksum, Is.EqualTo(0x456));
        Assert.That(generations[0].EndsAt, Is.EqualTo(start.AddSeconds(1)));
        Assert.That(generations[0].Bytes, Is.EqualTo(8292));
        Assert.That(generations[1].SegmentCount, Is.Zero);
    }

    [Test]
    public void Every_name_is_a_valid_replica_key()
    {
        string generation = ReplicaNames.NewGeneration(DateTimeOffset.UtcNow);

        Assert.DoesNotThrow(() => ReplicaKey.Validate(ReplicaNames.SnapshotKey(generation, ulong.MaxValue)));
        Assert.DoesNotThrow(() => ReplicaKey.Validate(ReplicaNames.SegmentKey(generation, new SegmentInfo(long.MaxValue / 1_000_000, 0, DateTimeOffset.UtcNow, 0, 1), 0)));
    }
}
