namespace PageDb.Testing.FaultInjection;

/// <summary>
/// One file (an inode) of <see cref="FaultInjectingStorage"/>: what is durable on the simulated disk, what the page
/// cache shows (every write so far), and the ordered list of changes made since the last sync, which a crash may keep,
/// lose, tear or apply out of order. Not thread-safe: the storage's lock protects it.
/// </summary>
/// <remarks>
/// The crash model (<see cref="Crash"/>), per the hardware assumptions in docs/architecture/storage.md:
/// 1. a synced change is never lost (it is in the durable image);
/// 2. each unsynced write is lost, kept whole, or torn: each 512-byte sector of it kept or lost on its own; per sector
///    the disk ends up with the contents of the newest kept write covering it, or the durable bytes, so any subset of
///    the writes in any order is reachable;
/// 3. the file's length is the length after some prefix of the unsynced changes, independently of which writes were
///    kept: a size change may reach the disk before the contents (the new region then reads as zeros), or after.
/// </remarks>
internal sealed class SimulatedFile
{
    /// <summary>The sector size: the unit in which a write may tear.</summary>
    public const int SectorSize = 512;

    private readonly List<Change> _unsynced = [];
    private ByteImage _durable = new();
    private ByteImage _cached = new();

    /// <summary>The handle holding the writer lock, or null.</summary>
    public object? LockOwner { get; set; }

    /// <summary>The length the page cache shows.</summary>
    public long Length => _cached.Length;

    /// <summary>Changes since the last sync.</summary>
    public int UnsyncedChanges => _unsynced.Count;

    public int Read(long offset, Span<byte> destination) => _cached.Read(offset, destination);

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        _cached.Write(offset, source);
        _unsynced.Add(new Change(offset, source.ToArray(), NewLength: -1));
    }

    public void SetLength(long length)
    {
        _cached.SetLength(length);
        _unsynced.Add(new Change(0, null, length));
    }

    /// <summary>Makes every change so far durable.</summary>
    public void Sync()
    {
        foreach (Change change in _unsynced)
            change.ApplyTo(_durable);
        _unsynced.Clear();
    }

    /// <summary>
    /// What Linux does when <c>fsync</c> fails (EIO): the dirty pages it covered are marked clean, so they leave
    /// write-back and a later sync succeeds without writing them, while the page cache still shows their new bytes
    /// until a crash, which brings back the durable image.
    /// </summary>
    public void FailSync() => _unsynced.Clear();

    /// <summary>The page cache's bytes (what a read sees now).</summary>
    public byte[] CachedContents() => _cached.ToArray();

    /// <summary>Replaces the file's contents, durably (for tests that plant or damage files).</summary>
    public void SetContentsDurably(ReadOnlySpan<byte> contents)
    {
        _unsynced.Clear();
        _durable = new ByteImage();
        _durable.Write(0, contents);
        _cached = _durable.Clone();
    }

    /// <summary>Replaces the durable image by what a crash leaves (see the remarks) and the page cache by it.</summary>
    public void Crash(Random random, double keepProbability, double tearProbability)
    {
        ByteImage disk = _durable;
        int sizeChangesThatLanded = random.Next(_unsynced.Count + 1);
        long length = disk.Length;
        for (int i = 0; i < _unsynced.Count; i++)
        {
            Change change = _unsynced[i];
            bool sizeLanded = i < sizeChangesThatLanded;
            if (change.Data is null)
            {
                if (sizeLanded)
                {
                    disk.SetLength(change.NewLength);
                    length = change.NewLength;
                }
                continue;
            }
            if (sizeLanded)
                length = Math.Max(length, change.End);
            ApplySectors(disk, change, random, keepProbability, tearProbability);
        }
        disk.SetLength(length);
        _unsynced.Clear();
        _durable = disk;
        _cached = disk.Clone();
        LockOwner = null;
    }

    private static void ApplySectors(ByteImage disk, Change change, Random random, double keepProbability, double tearProbability)
    {
        bool torn = change.Data!.Length > 1 && random.NextDouble() < tearProbability;
        bool keptWhole = !torn && random.NextDouble() < keepProbability;
        if (!torn)
        {
            if (keptWhole)
                disk.Write(change.Offset, change.Data);
            return;
        }
        long position = change.Offset;
        while (position < change.End)
        {
            long sectorEnd = Math.Min(change.End, (position / SectorSize + 1) * SectorSize);
            if (random.Next(2) == 0)
                disk.Write(position, change.Data.AsSpan((int)(position - change.Offset), (int)(sectorEnd - position)));
            position = sectorEnd;
        }
    }

    /// <summary>An unsynced change: a write (<see cref="Data"/> at <see cref="Offset"/>) or a size change (<see cref="NewLength"/>).</summary>
    private readonly record struct Change(long Offset, byte[]? Data, long NewLength)
    {
        public long End => Offset + (Data?.Length ?? 0);

        public void ApplyTo(ByteImage image)
        {
            if (Data is null)
                image.SetLength(NewLength);
            else
                image.Write(Offset, Data);
        }
    }
}
