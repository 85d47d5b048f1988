using System.Buffers.Binary;
using System.IO.Hashing;

namespace PageDb.Replication.Tests;

/// <summary>
/// The position file's version says what its commits mean (<see cref="ReplicaPosition"/> invariant 4): version 1 at an
/// object, version 2 inside a segment, which a build that knows only version 1 refuses instead of replaying the
/// segment's applied steps again; a version this build does not know is refused with a clear error.
/// </summary>
public sealed class ReplicaPositionTests
{
    private static readonly DateTimeOffset Noon = DateTimeOffset.FromUnixTimeMilliseconds(1_796_644_800_000);

    [TestCase(false, 1u)]
    [TestCase(true, 2u)]
    public void A_position_is_written_as_the_version_its_commits_need_and_reads_back(bool inSegment, uint version)
    {
        var position = new ReplicaPosition("20261207T120000Z-abc", 3, 0x1234_5678_9ABC_DEF0, 17, Noon, 42, 0xFEDC_BA98_7654_3210, inSegment);

        byte[] bytes = position.Encode();

        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)), Is.EqualTo(version));
        Assert.That(ReplicaPosition.Decode(bytes, "position"), Is.EqualTo(position));
    }

    [Test]
    public void A_position_of_a_newer_version_is_refused_with_a_clear_error()
    {
        byte[] bytes = new ReplicaPosition("20261207T120000Z-abc", 3, 1, 17, Noon, 42, 2, InSegment: true).Encode();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 3);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));

        var error = Assert.Throws<CorruptDatabaseException>(() => ReplicaPosition.Decode(bytes, "position"));
        Assert.That(error!.Message, Does.Contain("format version is 3").And.Contain("newer build"));
    }
}
