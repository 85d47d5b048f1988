namespace PageDb.Replication.Tests;

/// <summary>The replicator's reused segment buffer lets an unusually large cut's array go instead of keeping it for its life.</summary>
public sealed class SegmentBufferTests
{
    [Test]
    public void A_buffer_grown_past_its_limit_goes_back_to_its_first_capacity_and_a_smaller_one_is_kept()
    {
        var buffer = new SegmentBuffer(4096, keepAtMost: 64 << 10);
        buffer.Extend(32 << 10).Fill(1);
        buffer.Shrink();
        Assert.That(buffer.Capacity, Is.EqualTo(32 << 10), "grown within the limit: kept for the next cut");
        Assert.That(buffer.Length, Is.Zero);

        buffer.Extend(1 << 20).Fill(2);
        buffer.Shrink();
        Assert.That(buffer.Capacity, Is.EqualTo(4096), "grown past the limit: let go");
        Assert.That(buffer.Length, Is.Zero);
        Assert.That(buffer.Extend(10).Length, Is.EqualTo(10));
    }
}
