using PageDb.Wal;

namespace PageDb.Engine.Sharing;

/// <summary>
/// A read-only open's slot in the reader table of <see cref="SharedMemoryFile"/>: while it is held, the writing
/// process (<see cref="OtherProcessReaders"/>) copies nothing into the database file past the slot's mark and
/// overwrites no log frame this open may still read. A read-only open in a process other than the writer's sees the
/// database as it was when it opened (one snapshot for its whole life: reopen to see later commits).
/// <para>
/// The open, in order (the reader's half of the Dekker pair in <see cref="OtherProcessReaders"/>):
/// 1. <see cref="Claim"/>: take a free slot's lock and write it as "holds every checkpoint back" (mark 0, an epoch no
///    writer has), fenced.
/// 2. Read the checkpoint count; while it is odd, a checkpoint that may not have seen the slot runs: wait (or go on
///    when the writer lock is free: the writer died inside it, and the next writer sees the slot before it copies).
/// 3. Read the writer's published epoch and last commit (the seqlock).
/// 4. The caller opens the database file and recovers the log (every commit it finds is at or after that last commit,
///    and nothing is copied into the file meanwhile).
/// 5. <see cref="Hold"/>: the slot takes the epoch and last commit of step 3, so the writer may again copy up to it.
/// The log frames the open indexed may later be overwritten by a restart; the log detects that when it reads them
/// (<see cref="WalOptions.WrittenByAnotherProcess"/>) and reads the database file instead, which by then holds them.
/// </para>
/// Threads: one thread opens; <see cref="Dispose"/> once.
/// </summary>
internal sealed class ReaderProcessSlot : IDisposable
{
    /// <summary>The epoch a slot holds while no writer's epoch applies: never drawn by a writer, so it holds every copy back.</summary>
    private const ulong NoWriterEpoch = ulong.MaxValue;

    private readonly SharedMemoryFile _shm;
    private readonly int _slot;
    private readonly ulong _epoch;
    private readonly long _mark;
    private int _disposed;

    private ReaderProcessSlot(SharedMemoryFile shm, int slot, ulong epoch, long mark)
    {
        _shm = shm;
        _slot = slot;
        _epoch = epoch;
        _mark = mark;
    }

    /// <summary>The shm file's path.</summary>
    public string Path => _shm.Path;

    /// <summary>Steps 1-3 of the open (see the type). Pair with <see cref="Dispose"/>.</summary>
    /// <exception cref="IOException">The shm file cannot be opened or mapped for writing.</exception>
    /// <exception cref="UnauthorizedAccessException">The shm file or its directory may not be written.</exception>
    /// <exception cref="DatabaseLockedException">Every slot is taken, or a checkpoint did not end within <paramref name="timeout"/>.</exception>
    public static ReaderProcessSlot Claim(string databasePath, TimeSpan timeout)
    {
        SharedMemoryFile shm = SharedMemoryFile.Acquire(databasePath);
        int slot = shm.ClaimSlot();
        if (slot < 0)
        {
            shm.Release();
            throw new DatabaseLockedException(databasePath, $"all {SharedMemoryFile.SlotCount} reader slots of '{shm.Path}' are taken by open readers");
        }
        try
        {
            shm.WriteSlot(slot, NoWriterEpoch, mark: 0);
            WaitForWriter(shm, databasePath, timeout, static shm => (shm.CheckpointCount & 1) == 0, "a checkpoint");
            ulong epoch = 0;
            long mark = 0;
            WaitForWriter(shm, databasePath, timeout, shm => shm.TryReadPublished(out epoch, out mark), "a commit's publication");
            return new ReaderProcessSlot(shm, slot, epoch == 0 ? NoWriterEpoch : epoch, mark);
        }
        catch
        {
            shm.ReleaseSlot(slot);
            shm.Release();
            throw;
        }
    }

    /// <summary>Step 5: the open has recovered the log; the slot now holds back only what its snapshot needs.</summary>
    public void Hold() => _shm.WriteSlot(_slot, _epoch, _mark);

    /// <summary>What is wrong with the shm file (<see cref="SharedMemoryFile.FindProblems"/>).</summary>
    public IEnumerable<string> FindProblems() => _shm.FindProblems();

    /// <summary>Frees the slot and this open's use of the shm file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _shm.ReleaseSlot(_slot);
        _shm.Release();
    }

    /// <summary>
    /// Waits until <paramref name="ready"/> holds; a writer that stays inside the step longer is either busy (wait up to
    /// <paramref name="timeout"/>) or dead (its lock is free: nothing is being written, go on).
    /// </summary>
    private static void WaitForWriter(SharedMemoryFile shm, string databasePath, TimeSpan timeout, Func<SharedMemoryFile, bool> ready, string step)
    {
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        for (int attempt = 0; !ready(shm); attempt++)
        {
            if (attempt >= 10 && !shm.IsWriterAlive())
                return;
            if (Environment.TickCount64 > deadline)
                throw new DatabaseLockedException(databasePath, $"{step} by the writing process did not end within {timeout.TotalSeconds:0.###} s");
            Thread.Sleep(attempt < 10 ? 0 : 1);
        }
    }
}
