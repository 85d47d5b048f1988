using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace PageDb.Engine.Sharing;

/// <summary>
/// The <c>name.pagedb-shm</c> file that lets processes share one database: the writer's published state and a table of
/// reader slots, memory-mapped by every process that opens the database, plus byte-range locks that say which
/// processes are alive. It holds nothing durable: it is never synced, and its state is rebuilt by the next writer.
/// <para>
/// Layout (4096 bytes, little-endian; docs/FORMAT.md, "The shared-memory file"):
/// <code>
///   0-7    magic "PageDbSH" (0 until a writer first opens the database)
///   8-11   format version (u32): 1
///  12-15   slot count (u32): 126
///  16-23   header version (u64): even when stable, odd while the writer changes 24-39 (a seqlock)
///  24-31   writer epoch (u64): random, never 0, drawn by each writer at open
///  32-39   last commit (i64): the writer's frame index of its last commit frame (its WalMark)
///  40-47   checkpoint count (u64): odd while a checkpoint runs, +2 for every checkpoint
///  48-63   reserved, 0
///  64-...  reader slots, 16 bytes each: epoch (u64; 0 = free) and mark (i64; 0 = holds every checkpoint back)
/// </code>
/// Byte-range locks (never on the mapped bytes, so no platform's mandatory locking touches the mapping):
/// byte <see cref="LockBase"/> is the writer lock, byte <see cref="LockBase"/> + 1 + i guards slot i. They are
/// <c>FileStream.Lock</c> locks: fcntl(F_SETLK) record locks on Unix, LockFileEx on Windows, released by the OS when
/// the process dies, which is how a crashed process's slot and writer lock are reclaimed.
/// </para>
/// <para>
/// One descriptor per process. POSIX drops every fcntl lock a process holds on a file when it closes any descriptor of
/// that file, and fcntl locks never conflict within one process. So each process opens the file once
/// (<see cref="Acquire"/>, reference-counted by full path) and closes it only when its last user releases it, and
/// this type arbitrates between the users inside the process (which slots and whether the writer lock are held here)
/// before it asks the OS.
/// </para>
/// Thread-safe: every member takes <see cref="_gate"/> or reads the mapping with the ordering its caller documents.
/// </summary>
internal sealed class SharedMemoryFile
{
    /// <summary>The file's size; the mapping covers all of it.</summary>
    public const int Size = 4096;

    /// <summary>Reader slots in the table.</summary>
    public const int SlotCount = 126;

    /// <summary>The shm format version.</summary>
    public const uint FormatVersion = 1;

    private const int VersionOffset = 8;       // 8-11 u32
    private const int SlotCountOffset = 12;    // 12-15 u32
    private const int SeqlockOffset = 16;      // 16-23 u64
    private const int EpochOffset = 24;        // 24-31 u64
    private const int LastCommitOffset = 32;   // 32-39 i64
    private const int CheckpointsOffset = 40;  // 40-47 u64
    private const int SlotsOffset = 64;        // 64 + 16 * i
    private const int SlotSize = 16;

    /// <summary>The first lock byte: 1 MiB, past every mapped byte.</summary>
    private const long LockBase = 1 << 20;

    /// <summary>"PageDbSH" as a little-endian u64.</summary>
    private static readonly ulong s_magic = BinaryPrimitives.ReadUInt64LittleEndian("PageDbSH"u8);

    // Protects s_open: the open files of this process by full path.
    private static readonly Lock s_registryGate = new();
    private static readonly Dictionary<string, SharedMemoryFile> s_open = new(StringComparer.Ordinal);

    private readonly string _fullPath;
    private readonly FileStream _stream;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;

    // Protects _users, _writerHere, _slotsHere and every lock/unlock call.
    private readonly Lock _gate = new();
    private int _users;
    private bool _writerHere;
    private readonly bool[] _slotsHere = new bool[SlotCount];

    private SharedMemoryFile(string path, string fullPath, FileStream stream, MemoryMappedFile map, MemoryMappedViewAccessor view)
    {
        Path = path;
        _fullPath = fullPath;
        _stream = stream;
        _map = map;
        _view = view;
    }

    /// <summary>The shm file's path.</summary>
    public string Path { get; }

    /// <summary>The shm path of the database at <paramref name="databasePath"/>: <c>name.pagedb</c> -> <c>name.pagedb-shm</c>.</summary>
    public static string PathFor(string databasePath) => databasePath + "-shm";

    /// <summary>
    /// Opens (creating when missing) this process's one shared instance of the shm file of
    /// <paramref name="databasePath"/>; pair with <see cref="Release"/>.
    /// </summary>
    /// <exception cref="IOException">The file cannot be created, opened or mapped.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its directory may not be written.</exception>
    public static SharedMemoryFile Acquire(string databasePath)
    {
        string path = PathFor(databasePath);
        string fullPath = System.IO.Path.GetFullPath(path);
        lock (s_registryGate)
        {
            if (!s_open.TryGetValue(fullPath, out SharedMemoryFile? file))
            {
                file = OpenFile(path, fullPath);
                s_open.Add(fullPath, file);
            }
            file._users++;
            return file;
        }
    }

    /// <summary>Gives back one <see cref="Acquire"/>; the last one closes the file (dropping this process's locks on it).</summary>
    public void Release()
    {
        lock (s_registryGate)
        {
            if (--_users > 0)
                return;
            s_open.Remove(_fullPath);
            _view.Dispose();
            _map.Dispose();
            _stream.Dispose();
        }
    }

    private static SharedMemoryFile OpenFile(string path, string fullPath)
    {
        var stream = new FileStream(fullPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        MemoryMappedFile? map = null;
        try
        {
            if (stream.Length < Size)
                stream.SetLength(Size);
            map = MemoryMappedFile.CreateFromFile(stream, mapName: null, Size, MemoryMappedFileAccess.ReadWrite,
                HandleInheritability.None, leaveOpen: true);
            return new SharedMemoryFile(path, fullPath, stream, map, map.CreateViewAccessor(0, Size));
        }
        catch
        {
            map?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Takes the writer lock when no process (this one included) holds it.</summary>
    public bool TryLockWriter()
    {
        lock (_gate)
        {
            if (_writerHere || !TryLockByte(LockBase))
                return false;
            _writerHere = true;
            return true;
        }
    }

    /// <summary>Gives back the writer lock.</summary>
    public void UnlockWriter()
    {
        lock (_gate)
        {
            UnlockByte(LockBase);
            _writerHere = false;
        }
    }

    /// <summary>True when a live process (this one included) holds the writer lock.</summary>
    public bool IsWriterAlive()
    {
        lock (_gate)
        {
            if (_writerHere)
                return true;
            if (!TryLockByte(LockBase))
                return true;
            UnlockByte(LockBase);
            return false;
        }
    }

    /// <summary>Claims a free slot (its lock taken, its fields left to the caller); -1 when every slot is taken.</summary>
    public int ClaimSlot()
    {
        lock (_gate)
        {
            for (int slot = 0; slot < SlotCount; slot++)
            {
                if (_slotsHere[slot] || !TryLockByte(SlotLock(slot)))
                    continue;
                _slotsHere[slot] = true;
                return slot;
            }
            return -1;
        }
    }

    /// <summary>Frees a slot claimed by <see cref="ClaimSlot"/>: its epoch becomes 0, then its lock is given back.</summary>
    public void ReleaseSlot(int slot)
    {
        lock (_gate)
        {
            WriteSlot(slot, epoch: 0, mark: 0);
            UnlockByte(SlotLock(slot));
            _slotsHere[slot] = false;
        }
    }

    /// <summary>
    /// True when slot <paramref name="slot"/> belongs to a live reader, in this process or another. A slot whose lock
    /// nobody holds (its process ended, or it was never claimed) is freed on the way (epoch 0).
    /// </summary>
    public bool IsSlotLive(int slot)
    {
        lock (_gate)
        {
            if (_slotsHere[slot])
                return true;
            if (!TryLockByte(SlotLock(slot)))
                return true;
            WriteSlot(slot, epoch: 0, mark: 0);
            UnlockByte(SlotLock(slot));
            return false;
        }
    }

    /// <summary>Writes the format fields when the file is new (magic last); the writer calls it at open, under its lock.</summary>
    public void Initialize()
    {
        if (_view.ReadUInt64(0) == s_magic)
            return;
        _view.Write(VersionOffset, FormatVersion);
        _view.Write(SlotCountOffset, (uint)SlotCount);
        Interlocked.MemoryBarrier();
        _view.Write(0, s_magic);
    }

    /// <summary>
    /// Publishes the writer's epoch and last commit under the seqlock. Writer only (one thread at a time); a writer that
    /// found the seqlock odd (its predecessor died inside this) makes it even first.
    /// </summary>
    public void Publish(ulong epoch, long lastCommit)
    {
        ulong version = _view.ReadUInt64(SeqlockOffset) | 1;
        _view.Write(SeqlockOffset, version);
        Interlocked.MemoryBarrier();
        _view.Write(EpochOffset, epoch);
        _view.Write(LastCommitOffset, lastCommit);
        Interlocked.MemoryBarrier();
        _view.Write(SeqlockOffset, version + 1);
    }

    /// <summary>
    /// Reads the published epoch and last commit as one pair; false when the writer is changing them (odd seqlock, or
    /// changed while read): retry.
    /// </summary>
    public bool TryReadPublished(out ulong epoch, out long lastCommit)
    {
        ulong before = _view.ReadUInt64(SeqlockOffset);
        Interlocked.MemoryBarrier();
        epoch = _view.ReadUInt64(EpochOffset);
        lastCommit = _view.ReadInt64(LastCommitOffset);
        Interlocked.MemoryBarrier();
        return (before & 1) == 0 && _view.ReadUInt64(SeqlockOffset) == before;
    }

    /// <summary>The checkpoint count: odd while a checkpoint runs. Read after a full fence by the caller.</summary>
    public ulong CheckpointCount => _view.ReadUInt64(CheckpointsOffset);

    /// <summary>
    /// Sets the checkpoint count to <paramref name="count"/> and fences: the writer makes it odd before it reads the slot
    /// table for a checkpoint and even after the checkpoint (the Dekker pair of a reader's claim).
    /// </summary>
    public void SetCheckpointCount(ulong count)
    {
        _view.Write(CheckpointsOffset, count);
        Interlocked.MemoryBarrier();
    }

    /// <summary>Slot <paramref name="slot"/>'s epoch and mark.</summary>
    public (ulong Epoch, long Mark) ReadSlot(int slot)
    {
        long offset = SlotsOffset + (long)slot * SlotSize;
        return (_view.ReadUInt64(offset), _view.ReadInt64(offset + 8));
    }

    /// <summary>Writes slot <paramref name="slot"/> (mark first, epoch last, then a full fence). Only its holder, or a reclaimer holding its lock.</summary>
    public void WriteSlot(int slot, ulong epoch, long mark)
    {
        long offset = SlotsOffset + (long)slot * SlotSize;
        _view.Write(offset + 8, mark);
        Interlocked.MemoryBarrier();
        _view.Write(offset, epoch);
        Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// What is wrong with the file (none when it is sound, or new: all zeros before a writer's first open): a wrong
    /// magic, version or slot count, or a slot in use with a negative mark.
    /// </summary>
    public IEnumerable<string> FindProblems()
    {
        ulong magic = _view.ReadUInt64(0);
        if (magic == 0)
            yield break;
        if (magic != s_magic)
            yield return $"{Path}: the magic is {magic:x16}, not that of a PageDb shared-memory file";
        if (_view.ReadUInt32(VersionOffset) != FormatVersion)
            yield return $"{Path}: unknown format version {_view.ReadUInt32(VersionOffset)}";
        if (_view.ReadUInt32(SlotCountOffset) != SlotCount)
            yield return $"{Path}: the slot count is {_view.ReadUInt32(SlotCountOffset)}, not {SlotCount}";
        for (int slot = 0; slot < SlotCount; slot++)
        {
            (ulong epoch, long mark) = ReadSlot(slot);
            if (epoch != 0 && mark < 0)
                yield return $"{Path}: reader slot {slot} holds a negative mark {mark}";
        }
    }

    private static long SlotLock(int slot) => LockBase + 1 + slot;

    // FileStream.Lock/Unlock are unsupported on macOS only; ProcessSharing opens this file only for the byte-range
    // kinds of ProcessLockKind, never macOS's.
#pragma warning disable CA1416
    /// <summary>Takes the OS lock on one byte; false when another process holds it.</summary>
    private bool TryLockByte(long offset)
    {
        try
        {
            _stream.Lock(offset, 1);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void UnlockByte(long offset) => _stream.Unlock(offset, 1);
#pragma warning restore CA1416
}
