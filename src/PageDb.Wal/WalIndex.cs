using System.Diagnostics;
using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// Where each page's versions are in the log: page -> newest frame, and for every frame the previous frame of the same
/// page, so "the newest frame of page N at or before mark M" is a hash probe plus a walk down that page's chain past
/// the frames newer than M (usually none). Lookups allocate nothing.
/// <para>
/// Threads: one writer (the thread holding the engine's write lock, or recovery) calls <see cref="Add"/>,
/// <see cref="PublishCommit"/>, <see cref="EndTransaction"/>, <see cref="Rollback"/> and <see cref="Restart"/>;
/// <see cref="Publish"/> comes from the writer or from the group sync's leader (one at a time, under its lock); any
/// number of readers call <see cref="Find"/>, <see cref="GetEntry"/> and <see cref="LastCommit"/> at the same time,
/// without locks.
/// Publication rules that make this safe:
/// 1. An entry is filled in completely before the writer stores its index in the page table (Volatile.Write); a reader
///    reaches an entry only through the page table or a chain from it (Volatile.Read), so it never sees a half-written
///    entry. Entries are never changed after that, and frame indexes are never reused, even after a rollback.
/// 2. Segments never move; growing the segment list or the page table builds a complete copy and then publishes it
///    with Volatile.Write, before any later commit is published. A reader that read its mark first therefore finds
///    every frame at or before the mark in whatever list and table it loads afterwards.
/// 3. A rollback only moves page-table slots back to older frames; a reader that saw the rolled-back frame walks its
///    (unchanged) chain link past it, because rolled-back frames are newer than every mark.
/// 4. A restart publishes a new, empty <see cref="Generation"/>; frames keep counting up, so a reader whose mark
///    predates the restart finds no frame at or before it there and reads the database file, which by then holds
///    everything (the restart rule in <see cref="WriteAheadLog"/>).
/// 5. A switch to the other log file (<see cref="Switch"/>) publishes the current generation as the older one before
///    it publishes the new current one, so a reader that loads the current generation and then the older one never
///    misses a generation. Frames are forgotten only from the oldest end (<see cref="DropOlder"/>, or a restart when
///    there is no older generation), so the frames still readable are always those from <see cref="LiveStart"/> on,
///    and <see cref="LiveStart"/> moves before the writer overwrites any forgotten frame's bytes.
/// 6. At durability Full a commit is ended (<see cref="EndTransaction"/>) by the writer and published later by the
///    thread whose sync made it durable (<see cref="GroupSync"/>), under the group sync's lock, which the writer took
///    after adding the commit's frames: rules 1 and 2 hold across the two threads.
/// </para>
/// Invariants (<see cref="Verify"/>):
/// 1. Every chain from the page table is strictly decreasing, stays inside the generation, and holds only frames of
///    its page.
/// 2. The published last commit is at or before the last appended commit, which is before every uncommitted frame and
///    is not after the last frame added.
/// 3. An older generation, when there is one, lies entirely before the current one, in the other file, and ends with
///    a commit frame.
/// 4. A count frame's base is an earlier frame of its page in the same generation, and not a count frame.
/// </summary>
internal sealed class WalIndex
{
    private const int SegmentShift = 10;
    private const int SegmentSize = 1 << SegmentShift;
    private const int SegmentMask = SegmentSize - 1;

    /// <summary>The frames of the current generation; replaced by <see cref="Restart"/> and <see cref="Switch"/>. Readers load it once per call.</summary>
    private Generation _generation;

    /// <summary>The generation in the other file that the current one continues, or null (set by <see cref="Switch"/>, cleared by <see cref="DropOlder"/>).</summary>
    private Generation? _older;

    /// <summary>The last commit frame of <see cref="_older"/>. Writer only.</summary>
    private long _olderLastCommit;

    /// <summary>The oldest frame still readable: frames before it were forgotten and their bytes may be overwritten.</summary>
    private long _liveStart = 1;

    /// <summary>The newest committed frame readers may see (published with Volatile.Write after the commit is durable as asked).</summary>
    private long _lastCommit;

    /// <summary>
    /// The newest commit frame appended: at or after <see cref="_lastCommit"/>; ahead of it while a group sync of
    /// durability Full is still to make it durable (<see cref="GroupSync"/>). Writer only.
    /// </summary>
    private long _appendedCommit;

    /// <summary>The index the next frame gets. Writer only.</summary>
    private long _next = 1;

    /// <summary>The first frame of the current uncommitted run; frames from here to <see cref="_next"/> are uncommitted. Writer only.</summary>
    private long _uncommittedStart = 1;

    /// <summary>
    /// A segment of entries allocated ahead of need, beside the writer (<see cref="PrepareSpareSegment"/>), which the
    /// writer's next <see cref="Add"/> that fills its segment takes instead of allocating one (40 KiB of new memory,
    /// whose first touch cost that commit ~240 µs on the bench machine); null when none is ready (Interlocked).
    /// </summary>
    private FrameEntry[]? _spareSegment;

    /// <summary>True when no spare segment is ready for the writer's next full segment (<see cref="PrepareSpareSegment"/> is due). Any thread.</summary>
    public bool NeedsSpareSegment => Volatile.Read(ref _spareSegment) is null;

    /// <summary>Allocates a spare segment for the writer when none is ready (see <see cref="_spareSegment"/>). Any thread, beside the writer.</summary>
    public void PrepareSpareSegment()
    {
        if (Volatile.Read(ref _spareSegment) is null)
            Interlocked.CompareExchange(ref _spareSegment, new FrameEntry[SegmentSize], null);
    }

    /// <summary>Creates an empty index whose first generation is in log file <paramref name="file"/> (0 or 1).</summary>
    public WalIndex(int file = 0) => _generation = new Generation(firstFrame: 1, file);

    /// <summary>The last committed frame, as a reader's mark.</summary>
    public WalMark LastCommit => new(new FrameIndex(Volatile.Read(ref _lastCommit)));

    /// <summary>The oldest frame still readable; a frame before it was forgotten (its space may have been reused).</summary>
    public FrameIndex LiveStart => new(Volatile.Read(ref _liveStart));

    /// <summary>The log file (0 or 1) the current generation is in. Writer only.</summary>
    public int CurrentFile => _generation.File;

    /// <summary>True while the current generation continues an older one in the other file.</summary>
    public bool HasOlder => Volatile.Read(ref _older) is not null;

    /// <summary>The last frame (a commit frame) of the older generation; only meaningful while <see cref="HasOlder"/> (read that first).</summary>
    public WalMark OlderLastCommit => new(new FrameIndex(Volatile.Read(ref _olderLastCommit)));

    /// <summary>True when frames were added after the last commit (spilled or in-progress transaction). Writer only.</summary>
    public bool HasUncommitted => _next > _uncommittedStart;

    /// <summary>The newest commit appended, published or not: the snapshot the next write transaction builds on. Writer only.</summary>
    public WalMark LastAppendedCommit => new(new FrameIndex(_appendedCommit));

    /// <summary>True when a commit was appended in the current generation. Writer only.</summary>
    public bool HasCommitsInGeneration => _appendedCommit >= _generation.FirstFrame;

    /// <summary>The slots of the current generation's page table (what a checkpoint scans; for tests).</summary>
    internal int PageTableCapacity => Volatile.Read(ref _generation).Table.Capacity;

    /// <summary>The newest frame of <paramref name="page"/> at or before <paramref name="mark"/>, or <see cref="FrameIndex.None"/>.</summary>
    public FrameIndex Find(PageNumber page, WalMark mark)
    {
        Generation generation = Volatile.Read(ref _generation);
        Generation? older = Volatile.Read(ref _older);
        long frame = FindIn(generation, page, mark);
        if (frame == 0 && older is not null)
            frame = FindIn(older, page, mark);
        return new FrameIndex(frame);
    }

    private static long FindIn(Generation generation, PageNumber page, WalMark mark)
    {
        long limit = mark.LastCommitFrame.Value;
        long frame = generation.Table.Newest(page.Value);
        while (frame > limit)
            frame = generation.Entry(frame).PreviousOfPage;
        return frame;
    }

    /// <summary>
    /// The newest frame of <paramref name="page"/> in the current generation, committed or not, or
    /// <see cref="FrameIndex.None"/>: what a count frame of the page would be based on. Writer only.
    /// </summary>
    public FrameIndex NewestInGeneration(PageNumber page) => new(_generation.Table.Newest(page.Value));

    /// <summary>The newest uncommitted frame of <paramref name="page"/> (the writer's own spill), or <see cref="FrameIndex.None"/>. Writer only.</summary>
    public FrameIndex FindUncommitted(PageNumber page)
    {
        long frame = _generation.Table.Newest(page.Value);
        return frame >= _uncommittedStart ? new FrameIndex(frame) : FrameIndex.None;
    }

    /// <summary>
    /// The entry of <paramref name="frame"/>, or false when the frame belongs to a generation the log has restarted
    /// past (its space may be overwritten: the caller reads the database file instead).
    /// </summary>
    public bool TryGetEntry(FrameIndex frame, out FrameEntry entry)
    {
        Generation generation = Volatile.Read(ref _generation);
        Generation? older = Volatile.Read(ref _older);
        if (generation.Contains(frame.Value))
        {
            entry = generation.Entry(frame.Value);
            return true;
        }
        if (older is not null && older.Contains(frame.Value) && frame.Value < generation.FirstFrame)
        {
            entry = older.Entry(frame.Value);
            return true;
        }
        entry = default;
        return false;
    }

    /// <summary>The entry of <paramref name="frame"/>, which must be in the current or the older generation. Writer only.</summary>
    public FrameEntry GetEntry(FrameIndex frame)
    {
        Debug.Assert(frame.Value >= _liveStart && frame.Value < _next, "frame outside the live generations");
        return frame.Value >= _generation.FirstFrame ? _generation.Entry(frame.Value) : _older!.Entry(frame.Value);
    }

    /// <summary>
    /// Records a new uncommitted frame and makes it the newest of its page. A count frame's base is the newest full
    /// frame of its page in the generation (<see cref="WalFormat"/> invariant 5), 0 when there is none (a corrupt log:
    /// recovery checks it). Writer only.
    /// </summary>
    public FrameIndex Add(PageNumber page, long fileOffset, int storedLength, FrameEncoding encoding, uint commitSize)
    {
        Generation generation = _generation;
        long frame = _next;
        long previous = generation.Table.Newest(page.Value);
        long countBase = encoding != FrameEncoding.Count || previous == 0 ? 0
            : generation.Entry(previous).Encoding == FrameEncoding.Count ? generation.Entry(previous).CountBase : previous;
        if (generation.NeedsSegmentFor(frame))
            generation.AddSegment(Interlocked.Exchange(ref _spareSegment, null) ?? new FrameEntry[SegmentSize]);
        generation.SetEntry(frame, new FrameEntry(fileOffset, previous, page.Value, commitSize, storedLength, encoding, (byte)generation.File, countBase));
        generation.Table = generation.Table.Set(page.Value, frame);
        _next = frame + 1;
        return new FrameIndex(frame);
    }

    /// <summary>Makes every frame added so far committed and visible to readers that take the mark from now on. Writer only.</summary>
    public void PublishCommit() => Publish(EndTransaction());

    /// <summary>
    /// Makes every frame added so far committed (a later <see cref="Rollback"/> keeps them) without showing them to
    /// readers yet, and returns the commit's mark for <see cref="Publish"/>. Writer only.
    /// </summary>
    public WalMark EndTransaction()
    {
        Debug.Assert(HasUncommitted, "a commit needs at least its commit frame");
        _uncommittedStart = _next;
        _appendedCommit = _next - 1;
        return LastAppendedCommit;
    }

    /// <summary>
    /// Shows the commits up to <paramref name="mark"/> (ended by <see cref="EndTransaction"/>) to readers that take the
    /// mark from now on. Any thread, one at a time (the <see cref="GroupSync"/> lock), with marks that only grow.
    /// </summary>
    public void Publish(WalMark mark)
    {
        Debug.Assert(mark.LastCommitFrame.Value >= _lastCommit, "published marks only grow");
        Volatile.Write(ref _lastCommit, mark.LastCommitFrame.Value);
    }

    /// <summary>Forgets the frames added since the last commit; their indexes are never handed out again. Writer only.</summary>
    public void Rollback()
    {
        Generation generation = _generation;
        for (long frame = _next - 1; frame >= _uncommittedStart; frame--)
        {
            FrameEntry entry = generation.Entry(frame);
            generation.Table = generation.Table.Set(entry.Page, entry.PreviousOfPage);
        }
        _uncommittedStart = _next;
    }

    /// <summary>
    /// Starts an empty generation in log file <paramref name="file"/>, forgetting every frame; frame numbering
    /// continues. The caller has checked the restart rule (and, with an older generation, that it is fully copied). Writer only.
    /// </summary>
    public void Restart(int file)
    {
        Debug.Assert(!HasUncommitted, "a restart would lose uncommitted frames");
        Volatile.Write(ref _liveStart, _next);
        _older = null;
        Volatile.Write(ref _generation, new Generation(_next, file, expectedPages: _generation.Table.Count));
    }

    /// <summary>
    /// Starts an empty generation in the other log file that continues the current one, which becomes the older
    /// generation (publication rule 5). Needs no older generation and no uncommitted frame. Writer only.
    /// </summary>
    public void Switch()
    {
        Debug.Assert(!HasUncommitted && _older is null && HasCommitsInGeneration, "a switch needs a committed generation to leave behind");
        Generation current = _generation;
        Debug.Assert(_appendedCommit == _lastCommit, "a switch leaves only durable commits behind");
        Volatile.Write(ref _olderLastCommit, _lastCommit);
        Volatile.Write(ref _older, current);
        Volatile.Write(ref _generation, new Generation(_next, 1 - current.File, expectedPages: current.Table.Count));
    }

    /// <summary>Forgets the older generation (every commit in it is in the database file and no reader needs it). Writer only.</summary>
    public void DropOlder()
    {
        Debug.Assert(_older is not null, "no older generation to drop");
        Volatile.Write(ref _liveStart, _generation.FirstFrame);
        Volatile.Write(ref _older, null);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with (page, newest frame at or before <paramref name="mark"/>) for every page
    /// whose such frame is after <paramref name="after"/>. The checkpoint: the writer's, or a background one beside
    /// the writer (which reads the current generation as readers do; it only changes while no checkpoint runs when the
    /// writer restarts or switches, and the engine serializes those with checkpoints).
    /// <para>
    /// A page of the older generation is skipped only when the first pass collected it, never because the current
    /// generation's table holds it now: the writer may add a page's first frame there between the two passes (beside a
    /// background checkpoint), and that frame is after the mark, so the page would be collected by neither pass and
    /// the older generation would be forgotten without its newest copy reaching the database file. Find gives a page the
    /// same answer in both passes (every frame added meanwhile is after the mark).
    /// </para>
    /// </summary>
    public void CollectNewest(WalMark after, WalMark mark, List<(PageNumber Page, FrameIndex Frame)> destination)
    {
        int first = destination.Count;
        CollectNewest(Volatile.Read(ref _generation).Table, collected: null, after, mark, destination);
        if (Volatile.Read(ref _older) is not { } older)
            return;
        var collected = new HashSet<uint>(destination.Count - first);
        for (int i = first; i < destination.Count; i++)
            collected.Add(destination[i].Page.Value);
        CollectNewest(older.Table, collected, after, mark, destination);
    }

    /// <summary>Collects the pages of <paramref name="table"/>, except those in <paramref name="collected"/> (already collected).</summary>
    private void CollectNewest(PageTable table, HashSet<uint>? collected, WalMark after, WalMark mark, List<(PageNumber Page, FrameIndex Frame)> destination)
    {
        for (int slot = 0; slot < table.Capacity; slot++)
        {
            long key = table.KeyAt(slot);
            if (key == 0 || (collected is not null && collected.Contains((uint)(key - 1))))
                continue;
            PageNumber page = new((uint)(key - 1));
            FrameIndex frame = Find(page, mark);
            if (frame > after.LastCommitFrame)
                destination.Add((page, frame));
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with every committed frame after <paramref name="after"/> up to
    /// <paramref name="upTo"/> (a commit), oldest first, with its page and commit size (0 unless it ends a commit). The
    /// frames of rolled-back transactions between them are left out: <see cref="Rollback"/> keeps their entries and
    /// indexes (and the writer may not have overwritten their bytes), and a restart or a drop of the older generation
    /// may have forgotten them. Complete while a reader at or before <paramref name="after"/> is held: no committed
    /// frame after it is forgotten then (the restart rule, and the older generation is dropped only once no reader is
    /// older than its last commit), so a frame after it that the log no longer holds was rolled back.
    /// <para>
    /// A frame is committed exactly when a page chain reaches it (publication rule 3: a rollback moves the page table
    /// back past its frames, and later frames link past them). Walked from <paramref name="upTo"/> down, keeping each
    /// page's newest committed frame at or before the position (from <see cref="Find"/> the first time the page is met,
    /// then down its chain), so each frame is looked at once: asking <see cref="Find"/> at every commit would walk a
    /// page written by every commit once per commit.
    /// </para>
    /// </summary>
    public void CollectCommittedFrames(WalMark after, WalMark upTo, List<(FrameIndex Frame, PageNumber Page, uint CommitSize)> destination)
    {
        int first = destination.Count;
        var newestCommitted = new Dictionary<uint, long>(); // page -> its newest committed frame at or before the walk, when known
        for (long frame = upTo.LastCommitFrame.Value; frame > after.LastCommitFrame.Value; frame--)
        {
            if (!TryGetEntry(new FrameIndex(frame), out FrameEntry entry))
                continue; // forgotten, so rolled back (see above)
            var page = new PageNumber(entry.Page);
            if (!newestCommitted.TryGetValue(entry.Page, out long committed))
                committed = Find(page, new WalMark(new FrameIndex(frame))).Value;
            if (committed != frame)
            {
                newestCommitted[entry.Page] = committed; // rolled back: no chain reaches it
                continue;
            }
            destination.Add((new FrameIndex(frame), page, entry.CommitSize));
            if (entry.PreviousOfPage != 0)
                newestCommitted[entry.Page] = entry.PreviousOfPage;
            else
                newestCommitted.Remove(entry.Page); // its chain ends in this generation; the older one may go on (Find)
        }
        destination.Reverse(first, destination.Count - first);
    }

    /// <summary>Checks the invariants in the type's summary; throws <see cref="InvalidOperationException"/> on the first broken one.</summary>
    public void Verify()
    {
        if (_lastCommit > _appendedCommit || _appendedCommit >= _uncommittedStart || _uncommittedStart > _next)
            ThrowHelper.ThrowInvalidOperation("WAL index: last commit, uncommitted start and next frame out of order");
        VerifyChains(_generation, _next);
        if (_older is null)
            return;
        if (_older.File == _generation.File || _older.FirstFrame > _olderLastCommit || _olderLastCommit >= _generation.FirstFrame)
            ThrowHelper.ThrowInvalidOperation("WAL index: the older generation is not before the current one in the other file");
        if (_older.Entry(_olderLastCommit).CommitSize == 0)
            ThrowHelper.ThrowInvalidOperation("WAL index: the older generation does not end with a commit frame");
        VerifyChains(_older, _generation.FirstFrame);
    }

    private static void VerifyChains(Generation generation, long end)
    {
        for (int slot = 0; slot < generation.Table.Capacity; slot++)
        {
            long key = generation.Table.KeyAt(slot);
            if (key != 0)
                VerifyChain((uint)(key - 1), generation.Table.Newest((uint)(key - 1)), generation, end);
        }
    }

    private static void VerifyChain(uint page, long frame, Generation generation, long end)
    {
        long newer = long.MaxValue;
        while (frame != 0)
        {
            if (frame >= newer || frame < generation.FirstFrame || frame >= end)
                ThrowHelper.ThrowInvalidOperation("WAL index: a page chain is not strictly decreasing inside its generation");
            if (generation.Entry(frame).Page != page)
                ThrowHelper.ThrowInvalidOperation("WAL index: a page chain holds a frame of another page");
            VerifyCountBase(frame, generation);
            newer = frame;
            frame = generation.Entry(frame).PreviousOfPage;
        }
    }

    private static void VerifyCountBase(long frame, Generation generation)
    {
        FrameEntry entry = generation.Entry(frame);
        if (entry.Encoding != FrameEncoding.Count)
            return;
        long countBase = entry.CountBase;
        if (countBase >= frame || countBase < generation.FirstFrame || generation.Entry(countBase).Page != entry.Page
            || generation.Entry(countBase).Encoding == FrameEncoding.Count)
            ThrowHelper.ThrowInvalidOperation("WAL index: a count frame's base is not an earlier full frame of its page in its generation");
    }

    /// <summary>What the index knows of one frame.</summary>
    /// <param name="FileOffset">Where the frame header starts in the WAL file.</param>
    /// <param name="PreviousOfPage">The previous frame of the same page in this generation, 0 when none.</param>
    /// <param name="Page">The page number.</param>
    /// <param name="CommitSize">The database size in pages when this is a commit frame, else 0.</param>
    /// <param name="StoredLength">The bytes of the stored image.</param>
    /// <param name="Encoding">How the image is stored.</param>
    /// <param name="File">The log file holding the frame: 0 (<c>-wal</c>) or 1 (<c>-wal2</c>); a byte beside the encoding,
    /// so the entry stays 40 bytes with <paramref name="CountBase"/>.</param>
    /// <param name="CountBase">For a count frame, the full frame of the page it puts its count into (same generation); else 0.</param>
    internal readonly record struct FrameEntry(
        long FileOffset, long PreviousOfPage, uint Page, uint CommitSize, int StoredLength, FrameEncoding Encoding, byte File, long CountBase);

    /// <summary>One generation's frames (between two restarts). Readers keep using an old one safely after a restart.</summary>
    /// <remarks>
    /// A generation begun by a restart or a switch starts with a page table sized for as many distinct pages as the
    /// one it follows used (<paramref name="expectedPages"/>): a workload writes about as many per generation as in the
    /// last one, and growing the table again from its smallest size doubled it five or six times per generation in W7,
    /// each time in a commit that then first-touched the new arrays (up to 32 KiB, ~24 µs a page on the bench machine).
    /// Sized by the pages used, not by the table's capacity, so it shrinks again after a generation that wrote many
    /// pages (a bulk load): a checkpoint and a replicator poll scan every slot.
    /// </remarks>
    private sealed class Generation(long firstFrame, int file, int expectedPages = 0)
    {
        /// <summary>The segments of entries; replaced by a longer copy when full (segments themselves never move).</summary>
        private FrameEntry[][] _segments = [];

        /// <summary>Page -> newest frame; replaced by a larger copy when it fills.</summary>
        private PageTable _table = new(PageTable.CapacityFor(expectedPages));

        /// <summary>Frames below this belong to earlier generations.</summary>
        public long FirstFrame { get; } = firstFrame;

        /// <summary>The log file the generation's frames are in (0 or 1).</summary>
        public int File { get; } = file;

        /// <summary>True when <paramref name="frame"/> is at or after the first frame and has an entry slot.</summary>
        public bool Contains(long frame) => frame >= FirstFrame && frame < Limit;

        /// <summary>One past the last frame that has an entry.</summary>
        public long Limit => FirstFrame + ((long)Volatile.Read(ref _segments).Length << SegmentShift);

        public PageTable Table
        {
            get => Volatile.Read(ref _table);
            set => Volatile.Write(ref _table, value);
        }

        public ref readonly FrameEntry Entry(long frame)
        {
            long local = frame - FirstFrame;
            return ref Volatile.Read(ref _segments)[local >> SegmentShift][local & SegmentMask];
        }

        /// <summary>True when <paramref name="frame"/>, the next frame, needs a new segment (<see cref="AddSegment"/>) before <see cref="SetEntry"/>.</summary>
        public bool NeedsSegmentFor(long frame) => (frame - FirstFrame) >> SegmentShift == _segments.Length;

        /// <summary>Fills the slot of <paramref name="frame"/>, whose segment exists (<see cref="NeedsSegmentFor"/>).</summary>
        public void SetEntry(long frame, FrameEntry entry)
        {
            long local = frame - FirstFrame;
            _segments[local >> SegmentShift][local & SegmentMask] = entry;
        }

        /// <summary>Appends <paramref name="segment"/> (new, empty, <see cref="SegmentSize"/> entries) to the segment list, publishing a longer copy (rule 2).</summary>
        public void AddSegment(FrameEntry[] segment)
        {
            Debug.Assert(segment.Length == SegmentSize, "segments are all of one size");
            var grown = new FrameEntry[_segments.Length + 1][];
            Array.Copy(_segments, grown, _segments.Length);
            grown[^1] = segment;
            Volatile.Write(ref _segments, grown);
        }
    }

    /// <summary>
    /// Open-addressing hash table page -> newest frame (linear probing, at most half full). Keys are page + 1 so that 0
    /// marks an empty slot (page 0, the file header, is logged like any other). Slots are never removed within a
    /// generation. The writer writes a new slot's value before its key, each with Volatile.Write.
    /// </summary>
    private sealed class PageTable(int capacity)
    {
        private const int MinCapacity = 64;

        private readonly long[] _keys = new long[capacity];
        private readonly long[] _newest = new long[capacity];

        private int _count;

        public int Capacity => _keys.Length;

        /// <summary>The pages that have a slot. Writer only.</summary>
        public int Count => _count;

        /// <summary>The capacity a table holding <paramref name="pages"/> pages grows to from the smallest one (at most half full, doubling).</summary>
        public static int CapacityFor(int pages)
        {
            int capacity = MinCapacity;
            while (pages * 2L > capacity)
                capacity *= 2;
            return capacity;
        }

        public long KeyAt(int slot) => Volatile.Read(ref _keys[slot]);

        /// <summary>The newest frame of <paramref name="page"/>, or 0.</summary>
        public long Newest(uint page)
        {
            long key = page + 1L;
            int mask = _keys.Length - 1;
            for (int slot = Hash(page) & mask; ; slot = (slot + 1) & mask)
            {
                long found = Volatile.Read(ref _keys[slot]);
                if (found == key)
                    return Volatile.Read(ref _newest[slot]);
                if (found == 0)
                    return 0;
            }
        }

        /// <summary>Sets the newest frame of <paramref name="page"/>; returns the table to use from now on (this one, or a grown copy).</summary>
        public PageTable Set(uint page, long frame)
        {
            long key = page + 1L;
            int mask = _keys.Length - 1;
            int slot = Hash(page) & mask;
            while (_keys[slot] != key && _keys[slot] != 0)
                slot = (slot + 1) & mask;
            Volatile.Write(ref _newest[slot], frame);
            if (_keys[slot] == key)
                return this;
            Volatile.Write(ref _keys[slot], key);
            _count++;
            return _count * 2 > _keys.Length ? Grown() : this;
        }

        private PageTable Grown()
        {
            var grown = new PageTable(_keys.Length * 2);
            for (int slot = 0; slot < _keys.Length; slot++)
            {
                if (_keys[slot] != 0)
                    grown.Set((uint)(_keys[slot] - 1), _newest[slot]);
            }
            return grown;
        }

        private static int Hash(uint page) => (int)((page * 0x9E3779B9u) >> 7);
    }
}
