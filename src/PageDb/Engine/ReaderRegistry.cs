using System.Runtime.InteropServices;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The snapshot marks of the read transactions that are open, so a checkpoint never copies past what the oldest
/// reader still needs, and a full checkpoint can wait for old readers to finish.
/// Thread-safe and lock-free for readers: <see cref="Enter"/> and <see cref="Leave"/> run on any thread, claiming and
/// clearing a slot with interlocked operations (a lock here was a third of a one-lookup read transaction's time).
/// </summary>
/// <remarks>
/// <para>Slots: each open reader holds one slot of a list of slot blocks that only grows. A slot's state is
/// <see cref="Free"/>, <see cref="Claimed"/> (its reader is choosing a mark), <c>-(mark + 1)</c> (the mark is published
/// but not yet confirmed) or <c>mark + 1</c> (a registered reader of that mark).</para>
/// <para>Publication rules, which make <see cref="OldestOr"/> miss no reader that is using a mark:</para>
/// <list type="number">
/// <item>A reader publishes its mark with a full fence (<see cref="Interlocked.Exchange(ref long, long)"/>), then reads
/// <see cref="WriteAheadLog.LastCommit"/> again; while that moved, it publishes the newer mark and checks again, so its
/// confirmed mark was still the last commit after it was visible in the slot.</item>
/// <item>A checkpoint takes the last commit before it scans (the caller's <c>whenNone</c>) and scans after a full
/// fence. A scan that misses a slot ran before its publication, so the reader's confirming read came later and saw a
/// last commit no older than the checkpoint's: it is safe at that mark. Unconfirmed slots count as their mark.</item>
/// <item>Only a slot's owner changes it, except that <see cref="Leave"/> frees any confirmed slot of its mark: readers
/// of one mark are interchangeable, and an unconfirmed slot is never taken.</item>
/// <item><see cref="Leave"/> frees its slot with a full fence, then pulses waiters only when
/// <see cref="WaitUntilNoneOlderThan"/> counts one; a waiter counts itself before it first scans, so either the
/// leaver sees the count or the waiter's scan sees the freed slot.</item>
/// </list>
/// </remarks>
internal sealed class ReaderRegistry
{
    private const long Free = 0;
    private const long Claimed = long.MinValue;
    private const int BlockSlots = 64;

    // Where this thread's last reader sat: the likeliest free slot for its next one (a hint; any slot works).
    [ThreadStatic]
    private static int t_slotHint;

    private readonly SlotBlock _first = new();

    // Only for waiting in WaitUntilNoneOlderThan: the slots themselves need no lock.
    private readonly object _waitLock = new();
    private int _waiters;

    /// <summary>
    /// Registers a reader of the latest commit and returns its mark. A checkpoint computing the oldest reader
    /// (<see cref="OldestOr"/>) never misses a reader that has taken a mark (rules 1 and 2).
    /// </summary>
    public WalMark Enter(WriteAheadLog wal)
    {
        ref Slot slot = ref Claim(out int index);
        t_slotHint = index;
        slot.BeganAt = Environment.TickCount64;
        WalMark mark = wal.LastCommit;
        while (true)
        {
            slot.CommittedBytesAtMark = wal.CommittedBytes;
            Interlocked.Exchange(ref slot.State, -Encode(mark));
            WalMark now = wal.LastCommit;
            if (now == mark)
                break;
            mark = now;
        }
        Volatile.Write(ref slot.State, Encode(mark));
        return mark;
    }

    /// <summary>Removes a reader registered with <see cref="Enter"/>, and wakes anyone waiting in <see cref="WaitUntilNoneOlderThan"/>.</summary>
    public void Leave(WalMark mark)
    {
        long state = Encode(mark);
        int start = t_slotHint;
        for (SlotBlock? block = _first; block is not null; block = block.Next)
        {
            int first = start >= block.Offset && start < block.Offset + BlockSlots ? start - block.Offset : 0;
            for (int n = 0; n < BlockSlots; n++)
            {
                int i = (first + n) % BlockSlots;
                ref long slotState = ref block.Slots[i].State;
                if (Volatile.Read(ref slotState) == state && Interlocked.CompareExchange(ref slotState, Free, state) == state)
                {
                    WakeWaiters();
                    return;
                }
            }
        }
        throw new InvalidOperationException($"No reader of mark {mark} is registered.");
    }

    /// <summary>The oldest open snapshot, or <paramref name="whenNone"/> when no reader is open (never newer than it).</summary>
    public WalMark OldestOr(WalMark whenNone)
    {
        Interlocked.MemoryBarrier();
        WalMark oldest = whenNone;
        for (SlotBlock? block = _first; block is not null; block = block.Next)
        {
            foreach (ref Slot slot in block.Slots.AsSpan())
            {
                if (TryDecode(Volatile.Read(ref slot.State), out WalMark mark) && mark < oldest)
                    oldest = mark;
            }
        }
        return oldest;
    }

    /// <summary>Number of open readers (those choosing a mark not counted).</summary>
    public int Count
    {
        get
        {
            int total = 0;
            for (SlotBlock? block = _first; block is not null; block = block.Next)
            {
                foreach (ref Slot slot in block.Slots.AsSpan())
                {
                    if (TryDecode(Volatile.Read(ref slot.State), out _))
                        total++;
                }
            }
            return total;
        }
    }

    /// <summary>
    /// How long the oldest snapshot still open has been held (since the earliest of its open readers began) and the
    /// WAL bytes committed after it, which it keeps the log from forgetting; zeros when no reader is open.
    /// </summary>
    public (TimeSpan Age, long PinnedWalBytes) Oldest(WriteAheadLog wal)
    {
        bool any = false;
        WalMark oldest = default;
        long beganAt = 0, committedBytes = 0;
        for (SlotBlock? block = _first; block is not null; block = block.Next)
        {
            foreach (ref Slot slot in block.Slots.AsSpan())
            {
                if (!TryDecode(Volatile.Read(ref slot.State), out WalMark mark) || (any && mark > oldest))
                    continue;
                if (!any || mark < oldest || slot.BeganAt < beganAt)
                    (beganAt, committedBytes) = (slot.BeganAt, slot.CommittedBytesAtMark);
                (any, oldest) = (true, mark);
            }
        }
        return any ? (TimeSpan.FromMilliseconds(Environment.TickCount64 - beganAt), wal.CommittedBytes - committedBytes) : (TimeSpan.Zero, 0);
    }

    /// <summary>Waits until no open reader is older than <paramref name="mark"/>; false when <paramref name="timeout"/> passes first.</summary>
    public bool WaitUntilNoneOlderThan(WalMark mark, TimeSpan timeout)
    {
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        Interlocked.Increment(ref _waiters);
        try
        {
            lock (_waitLock)
            {
                while (OldestOr(mark) < mark)
                {
                    long left = deadline == long.MaxValue ? Timeout.Infinite : deadline - Environment.TickCount64;
                    if (left != Timeout.Infinite && left <= 0)
                        return false;
                    Monitor.Wait(_waitLock, (int)Math.Min(left == Timeout.Infinite ? int.MaxValue : left, int.MaxValue));
                }
                return true;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    /// <summary>Rule 4: after a slot was freed (with a full fence), wakes the waiters if there are any.</summary>
    private void WakeWaiters()
    {
        if (Volatile.Read(ref _waiters) == 0)
            return;
        lock (_waitLock)
            Monitor.PulseAll(_waitLock);
    }

    /// <summary>Claims a free slot, first at this thread's hint, adding a block when every slot is taken.</summary>
    private ref Slot Claim(out int index)
    {
        int hint = t_slotHint;
        SlotBlock block = _first;
        while (true)
        {
            int first = hint >= block.Offset && hint < block.Offset + BlockSlots ? hint - block.Offset : 0;
            for (int n = 0; n < BlockSlots; n++)
            {
                int i = (first + n) % BlockSlots;
                ref Slot slot = ref block.Slots[i];
                if (Volatile.Read(ref slot.State) == Free && Interlocked.CompareExchange(ref slot.State, Claimed, Free) == Free)
                {
                    index = block.Offset + i;
                    return ref slot;
                }
            }
            block = block.Next ?? block.Grow();
        }
    }

    /// <summary>A mark as a confirmed slot state (positive: the empty mark is frame 0).</summary>
    private static long Encode(WalMark mark) => mark.LastCommitFrame.Value + 1;

    /// <summary>The mark of a slot holding one, confirmed or not.</summary>
    private static bool TryDecode(long state, out WalMark mark)
    {
        if (state == Free || state == Claimed)
        {
            mark = default;
            return false;
        }
        mark = new WalMark(new FrameIndex(Math.Abs(state) - 1));
        return true;
    }

    /// <summary>One reader's slot, padded to a cache line so readers on different cores do not share one.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Slot
    {
        /// <summary>Free, claimed, or the mark (see the remarks on <see cref="ReaderRegistry"/>); changed with interlocked operations.</summary>
        [FieldOffset(0)]
        public long State;

        /// <summary>When the reader began (<see cref="Environment.TickCount64"/>); written by the owner before its mark.</summary>
        [FieldOffset(8)]
        public long BeganAt;

        /// <summary>The WAL's committed bytes when the mark was taken; written by the owner before its mark.</summary>
        [FieldOffset(16)]
        public long CommittedBytesAtMark;
    }

    /// <summary>A block of slots; blocks are added at the end and never removed.</summary>
    private sealed class SlotBlock
    {
        public readonly Slot[] Slots = new Slot[BlockSlots];

        /// <summary>The index of this block's first slot among all slots.</summary>
        public int Offset { get; init; }

        public SlotBlock? Next;

        /// <summary>Adds the block after this one, or returns the one another thread added first.</summary>
        public SlotBlock Grow()
        {
            Interlocked.CompareExchange(ref Next, new SlotBlock { Offset = Offset + BlockSlots }, null);
            return Next;
        }
    }
}
