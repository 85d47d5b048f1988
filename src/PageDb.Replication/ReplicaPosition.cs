using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Text;

namespace PageDb.Replication;

/// <summary>
/// Where a read replica's local file stands in the store (<c>name.pagedb-replica-position</c>, beside the file), so a
/// reopened replica applies only the segments after it instead of restoring from scratch (<see cref="ReadReplica"/>).
/// <code>
/// offset size field (little-endian)
///  0      8   magic: ASCII "PDBRPOS1"
///  8      4   format version (u32): 1, or 2 when the position is inside a segment (commits past the object's)
/// 12      4   page count (u32): pages in the replica's database at this position, the header included
/// 16      8   sequence (u64): the last object applied (0: the snapshot)
/// 24      8   chain checksum (u64): that object's checksum, which the next segment names as its previous
/// 32      8   commits (u64): commits of the generation applied: the object's in version 1; in version 2 past the
///             object's (the next segment was applied in part, up to a damaged page or a target: a resume skips its
///             steps through them)
/// 40      8   shipped at (i64, Unix milliseconds UTC): when that object was cut
/// 48      8   state hash (u64): <see cref="DatabaseStateHash"/> of the replica's database at this position
/// 56      2   generation name length N (u16)
/// 58      N   generation name (UTF-8)
/// end-8   8   checksum (u64): XxHash64 of every byte before it
/// </code>
/// Invariants:
/// 1. Written whole or not at all: to a temporary file, synced, renamed over the old one, the directory synced.
/// 2. Trusted only when checked: the checksum covers every byte (<see cref="Decode"/>), the store still lists the
///    generation as its newest with the object at the sequence and checksum, and the local database hashes to the
///    state hash with the page count. Any doubt restores from scratch, so a stale, damaged or foreign position file,
///    or a database changed since it was written, never yields a wrong replica.
/// 3. It may lag the database (written after a segment is applied) or lead it (a commit not yet synced when the
///    machine stopped): either fails the hash check of 2.
/// 4. A position inside a segment is written as version 2 (any other as version 1, which every build reads): a build
///    that knows only version 1 took the commits as the object's and replayed the next segment from its first step
///    over steps already applied, so it must refuse the file (and restore from scratch) rather than misread it. A
///    version this build does not know is refused the same way.
/// </summary>
/// <param name="Generation">The generation the replica follows.</param>
/// <param name="Sequence">The last object applied (0: the snapshot).</param>
/// <param name="Checksum">That object's checksum.</param>
/// <param name="Commits">Commits of the generation applied (past the object's when <paramref name="InSegment"/>).</param>
/// <param name="ShippedAt">When that object was cut.</param>
/// <param name="PageCount">Pages in the database at this position.</param>
/// <param name="StateHash">The fingerprint of the database at this position.</param>
/// <param name="InSegment">True when steps of the segment after the object are applied (<see cref="SegmentChain.InSegment"/>): version 2.</param>
internal sealed record ReplicaPosition(string Generation, long Sequence, ulong Checksum, long Commits, DateTimeOffset ShippedAt, uint PageCount, ulong StateHash, bool InSegment)
{
    private const ulong Magic = 0x3153_4F50_5242_4450; // "PDBRPOS1"
    private const uint AtObjectVersion = 1;
    private const uint InSegmentVersion = 2;
    private const int VersionOffset = 8;     // 8-11 u32
    private const int PageCountOffset = 12;  // 12-15 u32
    private const int SequenceOffset = 16;   // 16-23 u64
    private const int ChecksumOffset = 24;   // 24-31 u64
    private const int CommitsOffset = 32;    // 32-39 u64
    private const int ShippedAtOffset = 40;  // 40-47 i64
    private const int StateHashOffset = 48;  // 48-55 u64
    private const int NameLengthOffset = 56; // 56-57 u16
    private const int HeaderSize = 58;
    private const int TrailerSize = 8;

    /// <summary>The position file of the replica database at <paramref name="databasePath"/>.</summary>
    public static string PathFor(string databasePath) => Path.GetFullPath(databasePath) + "-replica-position";

    /// <summary>The file's bytes.</summary>
    public byte[] Encode()
    {
        byte[] name = Encoding.UTF8.GetBytes(Generation);
        var bytes = new byte[HeaderSize + name.Length + TrailerSize];
        Span<byte> span = bytes;
        BinaryPrimitives.WriteUInt64LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[VersionOffset..], InSegment ? InSegmentVersion : AtObjectVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[PageCountOffset..], PageCount);
        BinaryPrimitives.WriteUInt64LittleEndian(span[SequenceOffset..], (ulong)Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(span[ChecksumOffset..], Checksum);
        BinaryPrimitives.WriteUInt64LittleEndian(span[CommitsOffset..], (ulong)Commits);
        BinaryPrimitives.WriteInt64LittleEndian(span[ShippedAtOffset..], ShippedAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64LittleEndian(span[StateHashOffset..], StateHash);
        BinaryPrimitives.WriteUInt16LittleEndian(span[NameLengthOffset..], checked((ushort)name.Length));
        name.CopyTo(span[HeaderSize..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[^TrailerSize..], XxHash64.HashToUInt64(span[..^TrailerSize]));
        return bytes;
    }

    /// <summary>Decodes and checks the bytes of the position file at <paramref name="file"/>.</summary>
    /// <exception cref="CorruptDatabaseException">The bytes are not a whole position file of a version this build reads (1 or 2).</exception>
    public static ReplicaPosition Decode(byte[] bytes, string file)
    {
        if (bytes.Length < HeaderSize + TrailerSize || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic)
            Corrupt(file, "it is not a replica position file");
        ReadOnlySpan<byte> span = bytes;
        if (BinaryPrimitives.ReadUInt64LittleEndian(span[^TrailerSize..]) != XxHash64.HashToUInt64(span[..^TrailerSize]))
            Corrupt(file, "its checksum does not match its bytes");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(span[VersionOffset..]);
        if (version is not (AtObjectVersion or InSegmentVersion))
            Corrupt(file, $"its format version is {version}, which this build does not read (it reads {AtObjectVersion} and {InSegmentVersion}; a newer build wrote it?)");
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(span[NameLengthOffset..]);
        if (bytes.Length != HeaderSize + nameLength + TrailerSize)
            Corrupt(file, $"it names a generation of {nameLength} bytes but holds {bytes.Length} bytes");
        return new ReplicaPosition(
            Encoding.UTF8.GetString(span.Slice(HeaderSize, nameLength)),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(span[SequenceOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[ChecksumOffset..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(span[CommitsOffset..]),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[ShippedAtOffset..])),
            BinaryPrimitives.ReadUInt32LittleEndian(span[PageCountOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[StateHashOffset..]),
            InSegment: version == InSegmentVersion);
    }

    /// <summary>Reads the position file of <paramref name="databasePath"/>; null with the reason when it is missing or damaged.</summary>
    public static ReplicaPosition? TryRead(string databasePath, out string reason)
    {
        string file = PathFor(databasePath);
        reason = "";
        try
        {
            return Decode(File.ReadAllBytes(file), file);
        }
        catch (FileNotFoundException)
        {
            reason = "the replica has no position file";
        }
        catch (Exception e) when (e is CorruptDatabaseException or IOException or UnauthorizedAccessException)
        {
            reason = $"its position file could not be used: {e.Message}";
        }
        return null;
    }

    /// <summary>Replaces the position file of <paramref name="databasePath"/> with this one (invariant 1).</summary>
    public void Write(string databasePath) => DurableFileReplace.Replace(PathFor(databasePath), Encode(), FileStorage.Instance);

    /// <summary>Deletes the position file of <paramref name="databasePath"/>, if any.</summary>
    public static void Delete(string databasePath) => File.Delete(PathFor(databasePath));

    [DoesNotReturn]
    private static void Corrupt(string file, string detail) => ThrowHelper.ThrowCorrupt(file, $"replica position: {detail}");
}
