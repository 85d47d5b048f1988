using System.Buffers.Binary;
using System.Security.Cryptography;
using PageDb.Wal;

namespace PageDb.Engine.Sharing;

/// <summary>
/// The writer's side of <see cref="SharedMemoryFile"/>: it holds the writer lock other processes see, publishes every
/// commit to reader processes, and gives the checkpointer the oldest snapshot a reader process still needs, so that
/// checkpoints and log restarts respect reader processes as they respect this process's readers
/// (<see cref="ReaderRegistry"/>).
/// <para>
/// A reader process's slot holds the writer epoch it read and a mark in that writer's frame numbering. A slot of this
/// writer's epoch holds back exactly its mark; any other live slot (a reader still opening, or one that opened before
/// this writer, whose frame numbers mean nothing here) holds back every copy (<see cref="WalMark.Empty"/>).
/// </para>
/// <para>
/// The checkpoint protocol (the writer's half of a Dekker pair; the reader's half is in <see cref="ReaderProcessSlot"/>):
/// 1. <see cref="BeginCheckpoint"/> makes the shm's checkpoint count odd and fences, and only then reads the slots.
/// 2. The checkpoint copies, forgets or restarts no further than the oldest mark found.
/// 3. <see cref="EndCheckpoint"/> makes the count even again.
/// A reader writes its slot, fences, and then reads the count; it goes on only when the count is even. So either the
/// checkpoint's read of the slots saw the reader's slot, or the reader saw the checkpoint running and waited for it.
/// </para>
/// Threads: the writer (holding the engine's gate, or the checkpoint lock for checkpoints) calls everything; only
/// checkpoints (serialized by the checkpoint lock) announce themselves. <see cref="OldestOr"/> may run beside a
/// checkpoint on another thread (the writer's backpressure check, under the gate): it only reads the slots, and frees
/// a dead one under the shm file's own lock (<see cref="SharedMemoryFile.IsSlotLive"/>).
/// </summary>
internal sealed class OtherProcessReaders : IDisposable
{
    /// <summary>For storage other than real files: no other process can open the database, so nothing to share.</summary>
    public static readonly OtherProcessReaders None = new(null, 0);

    /// <summary>How long the writer retries its lock: a reader process probing whether a writer lives holds it for microseconds.</summary>
    private static readonly TimeSpan s_lockRetry = TimeSpan.FromMilliseconds(250);

    private readonly SharedMemoryFile? _shm;
    private readonly ulong _epoch;

    private OtherProcessReaders(SharedMemoryFile? shm, ulong epoch)
    {
        _shm = shm;
        _epoch = epoch;
    }

    /// <summary>
    /// Takes the writer lock of the database at <paramref name="databasePath"/> in its shm file, for every process.
    /// </summary>
    /// <exception cref="DatabaseLockedException">Another process (or another open of this one) writes the database.</exception>
    /// <exception cref="PageDbIOException">The shm file cannot be made: PageDb refuses to write without a lock other processes see.</exception>
    public static OtherProcessReaders LockWriter(string databasePath)
    {
        SharedMemoryFile shm;
        try
        {
            shm = SharedMemoryFile.Acquire(databasePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string path = SharedMemoryFile.PathFor(databasePath);
            throw new PageDbIOException(path, $"cannot create or map the shared-memory file '{path}' ({e.Message}); "
                + "PageDb refuses to write without a lock other processes see");
        }
        if (!TryLockWriter(shm))
        {
            shm.Release();
            throw new DatabaseLockedException(databasePath);
        }
        shm.Initialize();
        shm.SetCheckpointCount((shm.CheckpointCount + 1) & ~1UL); // a writer that died inside a checkpoint left it odd
        ulong epoch;
        do
        {
            epoch = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));
        }
        while (epoch is 0 or ulong.MaxValue);
        return new OtherProcessReaders(shm, epoch);
    }

    /// <summary>Publishes <paramref name="lastCommit"/> as the snapshot a reader process opening now takes.</summary>
    public void Publish(WalMark lastCommit) => _shm?.Publish(_epoch, lastCommit.LastCommitFrame.Value);

    /// <summary>
    /// Step 1 of the checkpoint protocol: announces a checkpoint and returns the older of <paramref name="oldestHere"/>
    /// (this process's oldest reader, or the last commit) and every reader process's mark. Pair with
    /// <see cref="EndCheckpoint"/> in a finally.
    /// </summary>
    public WalMark BeginCheckpoint(WalMark oldestHere)
    {
        if (_shm is null)
            return oldestHere;
        _shm.SetCheckpointCount(_shm.CheckpointCount | 1);
        return OldestOr(oldestHere);
    }

    /// <summary>
    /// For Full and Truncate checkpoints: waits until no live reader process holds a snapshot older than
    /// <paramref name="last"/> (a slot of another writer's epoch, or one still opening, counts as older); false when one
    /// still does at <paramref name="deadline"/> (an <see cref="Environment.TickCount64"/> value). A reader process that
    /// opens after the wait takes <paramref name="last"/> or later, except while it is still opening (steps 1-4 of
    /// <see cref="ReaderProcessSlot"/>); the caller checks what <see cref="BeginCheckpoint"/> returns and waits again.
    /// </summary>
    public bool WaitUntilNoneOlderThan(WalMark last, long deadline)
    {
        for (int attempt = 0; OldestOr(last) < last; attempt++)
        {
            if (Environment.TickCount64 > deadline)
                return false;
            Thread.Sleep(attempt < 10 ? 1 : 10);
        }
        return true;
    }

    /// <summary>Step 3 of the checkpoint protocol: the checkpoint is over.</summary>
    public void EndCheckpoint() => _shm?.SetCheckpointCount(_shm.CheckpointCount + 1);

    /// <summary>
    /// What is wrong with the shm file (<see cref="SharedMemoryFile.FindProblems"/>), and any slot of this writer's epoch
    /// whose mark is past <paramref name="lastCommit"/> (no reader can have taken a snapshot that was never committed).
    /// </summary>
    public IEnumerable<string> FindProblems(WalMark lastCommit)
    {
        if (_shm is null)
            yield break;
        foreach (string problem in _shm.FindProblems())
            yield return problem;
        for (int slot = 0; slot < SharedMemoryFile.SlotCount; slot++)
        {
            (ulong epoch, long mark) = _shm.ReadSlot(slot);
            if (epoch == _epoch && mark > lastCommit.LastCommitFrame.Value)
                yield return $"{_shm.Path}: reader slot {slot} holds mark {mark}, past the last commit {lastCommit}";
        }
    }

    /// <summary>Gives back the writer lock and this process's use of the shm file.</summary>
    public void Dispose()
    {
        if (_shm is null)
            return;
        _shm.UnlockWriter();
        _shm.Release();
    }

    /// <summary>
    /// The older of <paramref name="oldest"/> and every live reader process's snapshot; frees dead processes' slots on
    /// the way. Without the checkpoint protocol's announcement, so a reader process may take a snapshot just after: good
    /// enough to decide that a checkpoint is not worth trying now, never to bound one (use <see cref="BeginCheckpoint"/>).
    /// </summary>
    public WalMark OldestOr(WalMark oldest)
    {
        if (_shm is null)
            return oldest;
        for (int slot = 0; slot < SharedMemoryFile.SlotCount; slot++)
        {
            if (_shm.ReadSlot(slot).Epoch == 0 || !_shm.IsSlotLive(slot))
                continue;
            (ulong epoch, long mark) = _shm.ReadSlot(slot);
            oldest = WalMark.Min(oldest, epoch == _epoch ? new WalMark(new FrameIndex(mark)) : WalMark.Empty);
        }
        return oldest;
    }

    private static bool TryLockWriter(SharedMemoryFile shm)
    {
        long deadline = Environment.TickCount64 + (long)s_lockRetry.TotalMilliseconds;
        while (!shm.TryLockWriter())
        {
            if (Environment.TickCount64 > deadline)
                return false;
            Thread.Sleep(5);
        }
        return true;
    }
}
