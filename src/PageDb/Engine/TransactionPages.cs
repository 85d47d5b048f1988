using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PageDb.Btree;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The pages of a write transaction: its snapshot (the latest commit when it began) plus the private copies it has
/// changed. A page is copied into a private version in the buffer pool the first time it is written; private versions
/// are dirty, so the pool never evicts them, and no reader can see them (their key carries this transaction's
/// sequence). <see cref="Commit"/> appends them to the WAL; <see cref="Discard"/> drops them.
/// Used by the one thread that holds the write gate. One object serves transaction after transaction: the engine
/// keeps it in <see cref="StorageEngine.TransactionPagesPool"/> between them (<see cref="Begin"/> to
/// <see cref="Discard"/>), so a small commit does not build a new page map and list each time.
/// </summary>
/// <remarks>
/// Invariants:
/// 1. Every page this transaction changed has exactly one newest version: a private version listed in
///    <c>_private</c>, or, once spilled, its newest uncommitted WAL frame (and then no private version).
/// 2. <see cref="PageCount"/> is the database size the commit frame will record. The page count in this
///    transaction's view of the file header (page 0) is at most that (<see cref="HeaderPageCount"/>), and equal in a log
///    generation older than version 5; page 0 is logged with the count of the moment (<see cref="CountPagesIfHeader"/>).
/// 3. Pages at or past the snapshot's page count exist only as private versions (they were allocated by growing).
/// </remarks>
internal sealed class TransactionPages : IPageAccessor
{
    private readonly StorageEngine _engine;

    // The transaction's snapshot, pointed at its mark by Begin (one object for every transaction this page set serves,
    // as the trees opened over these pages (_trees), so a one-row commit makes none of them anew), whether one is
    // begun, and its sequence.
    private readonly SnapshotPages _ownSnapshot;
    private bool _begun;
    private readonly OpenedTrees _trees;
    private ulong _sequence;

    // The private versions, by page number (invariant 1), each with the write clock of its last write.
    private readonly Dictionary<uint, PrivateVersion> _private = [];

    // Counts calls to Write/Allocate; a private version's stamp says how recently it was written (for spilling).
    private long _writeClock;

    // Pool keys of the frames this transaction spilled to the WAL: dropped from the pool on rollback, because those
    // frames are dead (never committed, their file space reused) and their cached copies would only take room.
    private readonly List<PageKey> _spilledFrames = [];

    // Private versions are never evicted, so they may fill at most this many pool frames (three quarters: the rest
    // serves reads); reaching it spills the least recently written quarter of them to the WAL, so a transaction
    // larger than the pool still fits while the pages it keeps writing stay in memory.
    private readonly int _spillThreshold;

    // The most entries the page map and spill list keep room for between transactions.
    private const int RetainedCapacity = 256;

    /// <summary>Pages of <paramref name="engine"/>'s write transactions; <see cref="Begin"/> starts each.</summary>
    public TransactionPages(StorageEngine engine)
    {
        _engine = engine;
        _spillThreshold = Math.Max(engine.Pool.FrameCount / 4 * 3, 8);
        _ownSnapshot = new SnapshotPages(engine);
        _trees = new OpenedTrees(this);
    }

    /// <summary>Pages in the database as this transaction sees it, the size its commit frame records (invariant 2).</summary>
    public uint PageCount { get; private set; }

    /// <summary>The committed state this transaction started from; never changed by it.</summary>
    public SnapshotPages Snapshot => _begun ? _ownSnapshot : ThrowNotBegun();

    /// <summary>
    /// True once this transaction wrote the catalog (<see cref="NoteCatalogWrite"/>): from then on its catalog is its
    /// own, and <see cref="WriterCatalogCache"/> neither answers it nor learns from it.
    /// </summary>
    public bool CatalogWritten { get; private set; }

    /// <summary>The engine's cache of the committed catalog, for this transaction while <see cref="CatalogWritten"/> is false.</summary>
    public WriterCatalogCache CatalogCache => _engine.WriterCatalog;

    /// <summary>Records that this transaction changed the catalog; its commit moves the cache to a new generation.</summary>
    public void NoteCatalogWrite() => CatalogWritten = true;

    /// <summary>True between transactions: discarded, holding no private version or spilled frame.</summary>
    public bool IsIdle => !_begun && _private.Count == 0 && _spilledFrames.Count == 0;

    /// <summary>Starts a transaction on the snapshot ending at commit <paramref name="snapshot"/>, its private versions named by <paramref name="sequence"/>.</summary>
    public TransactionPages Begin(WalMark snapshot, ulong sequence)
    {
        Debug.Assert(IsIdle, "begun only between transactions");
        _ownSnapshot.MoveTo(snapshot);
        _begun = true;
        _sequence = sequence;
        _writeClock = 0;
        CatalogWritten = false;
        PageCount = _ownSnapshot.PageCount;
        return this;
    }

    /// <summary>
    /// The tree rooted at <paramref name="root"/> over these pages: one opened before, in this transaction or an earlier
    /// one (a tree handle of an ended transaction checks its transaction before it touches its tree), or a new one.
    /// </summary>
    public BTree OpenTree(PageNumber root) => _trees.Open(root);

    /// <summary>True when the transaction has changed at least one page.</summary>
    public bool HasChanges => _private.Count > 0;

    public int PageSize => Snapshot.PageSize;

    public string FilePath => Snapshot.FilePath;

    public uint FormatVersion => Snapshot.FormatVersion;

    public PageHandle Read(PageNumber page)
    {
        if (_private.TryGetValue(page.Value, out PrivateVersion version))
            return PinPrivate(version.Key);
        return _engine.Pool.Pin(SharedKeyOf(page), _engine.Loader);
    }

    /// <summary>
    /// The pool key of the version of <paramref name="page"/> this transaction reads while it has no private version:
    /// its newest spilled frame, or else the snapshot's version.
    /// </summary>
    private PageKey SharedKeyOf(PageNumber page)
    {
        if (page.Value >= PageCount)
            ThrowHelper.ThrowCorrupt(FilePath, page, "a link points past the end of the database");
        FrameIndex spilled = _engine.Wal.FindUncommittedFrame(page);
        if (!spilled.IsNone)
            return PageVersions.FromFrame(page, spilled);
        if (page.Value >= Snapshot.PageCount)
            ThrowHelper.ThrowCorrupt(FilePath, page, "a link points past the end of the database");
        return Snapshot.KeyOf(page);
    }

    public PageHandle Write(PageNumber page)
    {
        if (TryTouchPrivate(page, out PageKey key))
            return PinPrivate(key);
        PageKey superseded = SharedKeyOf(page);
        using PageHandle source = _engine.Pool.Pin(superseded, _engine.Loader); // a slotted page was checked when it was loaded (PageLoader)
        PageHandle copy = CreatePrivate(page, superseded);
        source.Data.CopyTo(copy.Writable);
        return copy;
    }

    public PageHandle Allocate(PageType type)
    {
        if (!FreePageList.TryPop(this, out PageNumber page))
            page = Grow();
        // A reused free page's old bytes are meaningless: it is never read, only overwritten.
        PageHandle handle = TryTouchPrivate(page, out PageKey key) ? PinPrivate(key) : CreatePrivate(page, superseded: null);
        PageHeader.Initialize(handle.Writable, type, page);
        return handle;
    }

    public void Free(PageNumber page)
    {
        Debug.Assert(page != PageNumber.Header && page.Value < PageCount, "only allocated pages are freed");
        FreePageList.Push(this, page);
    }

    /// <summary>
    /// Appends every private version to the WAL, the last as the commit frame, and returns the commit's mark; with
    /// <paramref name="sync"/> the commit is published only once <see cref="WriteAheadLog.WaitDurable"/> saw it synced
    /// (group commit). Does nothing when nothing changed, and returns the snapshot's mark. Once appended, each private
    /// version is renamed in the pool to the WAL frame it was saved as, so the next transaction finds the page cached instead of reading the frame back, and the
    /// version it was copied from is dropped from the pool: no transaction begun from now on reads it, and a reader
    /// of an older snapshot that still does loads it again, as after an eviction. So a stream of small commits reuses
    /// the same few frames instead of filling the pool with superseded versions (each a new page-sized buffer until
    /// the pool is full).
    /// </summary>
    public WalMark Commit(bool sync)
    {
        if (_private.Count == 0)
            return Snapshot.Mark;
        int remaining = _private.Count;
        WalMark commit = default;
        foreach ((uint number, PrivateVersion version) in _private)
        {
            var page = new PageNumber(number);
            using PageHandle handle = PinPrivate(version.Key);
            bool countOnly = PrepareForCommitFrame(page, version, handle.Writable);
            FrameIndex frame;
            if (--remaining > 0)
            {
                frame = countOnly ? _engine.Wal.AppendCount(page, handle.Data) : _engine.Wal.Append(page, handle.Data);
            }
            else
            {
                commit = _engine.Wal.AppendCommit(page, handle.Data, PageCount, sync, countOnly);
                frame = commit.LastCommitFrame;
            }
            _engine.NotifyFrameLogged(page, frame, handle.Data, version.Superseded, countOnly); // never throws: the frame is logged
            CollectionsMarshal.GetValueRefOrNullRef(_private, number) = version with { Frame = frame };
        }
        foreach ((uint number, PrivateVersion version) in _private)
        {
            _engine.Pool.Rename(version.Key, PageVersions.FromFrame(new PageNumber(number), version.Frame));
            if (version.Superseded is PageKey superseded)
                _engine.Pool.Remove(superseded);
        }
        _private.Clear();
        return commit;
    }

    /// <summary>
    /// Makes the private version <paramref name="image"/> of <paramref name="page"/> ready for its commit frame and
    /// returns true when the log may record it as a count frame: when it differs from the version it was copied from
    /// only in the count field (a B-tree root whose only change is its entry count: the insert went into a leaf below
    /// it) and that version is the page's newest frame in the generation (<see cref="WriteAheadLog.CanLogCountOver"/>),
    /// the commit logs 8 bytes instead of the page. Only while that version is still cached (it usually is: it was
    /// copied moments ago), so a large commit never reads pages back to compare them. A page logged in full is sealed
    /// first (<see cref="SealForLog"/>); a count frame's page is not: the log stores only its count, every read of the
    /// frame from a file seals the page it rebuilds (<see cref="WriteAheadLog"/>'s count-frame read), and the cached
    /// image's checksum field is stale, which nothing reads in memory (<see cref="PageHeader"/> invariant 2; a
    /// replication cut copying it from the pool seals its copy, <see cref="ReplicationSource.ReadPage"/>). So a
    /// one-row commit into a two-level tree computes one page checksum, not two.
    /// </summary>
    private bool PrepareForCommitFrame(PageNumber page, PrivateVersion version, Span<byte> image)
    {
        CountPagesIfHeader(page, image);
        ClearGapForLog(image);
        if (OnlyCountChanged(page, version, image))
            return true; // same page number and type as its source: DiffersOnlyInCount compared them
        PageHeader.Seal(image, page);
        return false;
    }

    /// <summary>
    /// True when <paramref name="image"/> differs from the cached version of <paramref name="page"/> it was copied from
    /// only in the count field (and the page number, type and every other byte are that version's), and a count frame
    /// may be based on that version (see <see cref="PrepareForCommitFrame"/>). That version is only peeked at
    /// (<see cref="BufferPool.TryPeek"/>): the commit drops it moments later, so the look is no cache hit and says
    /// nothing about what to keep (as a pin it counted a hit for every page of every commit that could log a count frame).
    /// </summary>
    private bool OnlyCountChanged(PageNumber page, PrivateVersion version, ReadOnlySpan<byte> image)
    {
        if (version.Superseded is not PageKey superseded || PageVersions.IsFile(superseded)
            || !_engine.Wal.CanLogCountOver(page, PageVersions.Frame(superseded))
            || !_engine.Pool.TryPeek(superseded, out PageHandle source))
            return false;
        using (source)
            return WalFormat.DiffersOnlyInCount(source.Data, image);
    }

    /// <summary>
    /// Drops every private version from the pool, after a commit or to roll back; on rollback also the cached
    /// copies of spilled frames, which no reader can ever ask for. Ends the transaction: the object may be begun again.
    /// </summary>
    public void Discard(bool rolledBack)
    {
        _begun = false;
        foreach (PrivateVersion version in _private.Values)
            _engine.Pool.Remove(version.Key);
        _private.Clear();
        if (rolledBack)
        {
            foreach (PageKey key in _spilledFrames)
                _engine.Pool.Remove(key);
        }
        _spilledFrames.Clear();
        if (_private.EnsureCapacity(0) > RetainedCapacity)
            _private.TrimExcess(RetainedCapacity); // a large transaction's map is not kept for the small ones after it
        if (_spilledFrames.Capacity > RetainedCapacity)
            _spilledFrames.Capacity = RetainedCapacity;
    }

    /// <summary>
    /// Once the private versions reach the threshold, appends the least recently written quarter of them to the WAL
    /// as uncommitted frames and drops them from the pool. A spilled page is read back from its frame; written again,
    /// it gets a new private version. Pinned versions (in use by the caller right now) stay.
    /// </summary>
    private void SpillIfNeeded()
    {
        if (_private.Count < _spillThreshold)
            return;
        List<(uint Number, PrivateVersion Version)> coldest = [.. _private
            .Where(entry => !_engine.Pool.IsPinned(entry.Value.Key))
            .Select(entry => (entry.Key, entry.Value))
            .OrderBy(entry => entry.Value.LastWritten)
            .Take(Math.Max(_spillThreshold / 4, 1))];
        foreach ((uint number, PrivateVersion version) in coldest)
        {
            var page = new PageNumber(number);
            using (PageHandle handle = PinPrivate(version.Key))
            {
                SealForLog(handle.Writable, page);
                _spilledFrames.Add(PageVersions.FromFrame(page, AppendFrame(page, handle.Data)));
            }
            _engine.Pool.Remove(version.Key);
            _private.Remove(number);
        }
    }

    /// <summary>
    /// Stamps a private version's number and checksum before it is logged in full, zeroing a slotted page's gap first
    /// so its frame is stored without it (<see cref="ZeroRunElision"/>).
    /// </summary>
    private void SealForLog(Span<byte> image, PageNumber page)
    {
        CountPagesIfHeader(page, image);
        ClearGapForLog(image);
        PageHeader.Seal(image, page);
    }

    /// <summary>
    /// Sets the page count of page 0's private version to <see cref="PageCount"/> as it is logged (invariant 2), so a
    /// logged header counts every page its free list and catalog root name: growing does not write page 0
    /// (<see cref="Grow"/>), but the pages it counts may since have been made the catalog root or freed.
    /// </summary>
    private void CountPagesIfHeader(PageNumber page, Span<byte> image)
    {
        if (page == PageNumber.Header)
            new FileHeaderPage(image).PageCount = PageCount;
    }

    /// <summary>Zeroes a slotted page's gap, so its frame is stored without it (<see cref="ZeroRunElision"/>).</summary>
    private void ClearGapForLog(Span<byte> image)
    {
        if (PageHeader.IsSlotted(image))
            new SlottedPage(image, FilePath).ClearGap();
    }

    private FrameIndex AppendFrame(PageNumber page, ReadOnlySpan<byte> image)
    {
        try
        {
            return _engine.Wal.Append(page, image);
        }
        catch (PageDbIOException e)
        {
            _engine.Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Empties the page space: the header's page count becomes 1 and the free list empty, so new pages are numbered
    /// from 1 again. Only for a transaction that has changed nothing else yet (compaction); the old pages stay
    /// readable through <see cref="Snapshot"/>.
    /// </summary>
    public void StartOver()
    {
        Debug.Assert(_private.Count == 0 || (_private.Count == 1 && _private.ContainsKey(0)), "start over before changing anything");
        using PageHandle headerHandle = Write(PageNumber.Header);
        _ = new FileHeaderPage(headerHandle.Writable)
        {
            PageCount = 1,
            FreeListHead = PageNumber.None,
            FreePageCount = 0,
            CatalogRoot = PageNumber.None,
        };
        PageCount = 1;
        NoteCatalogWrite();
    }

    /// <summary>
    /// Counts one more page and returns its number. The commit frame records the new count; page 0's copy of it is
    /// written only in a log generation older than version 5 (<see cref="WriteAheadLog.CanGrowWithoutHeader"/>), whose
    /// readers take page 0's count as the database size. So a commit that starts a new leaf logs the leaf and its
    /// parent, not also the file header (<see cref="HeaderPageCount"/>).
    /// </summary>
    private PageNumber Grow()
    {
        var page = new PageNumber(PageCount);
        if (page.Value == uint.MaxValue)
            throw new PageDbException($"The database '{FilePath}' has reached the largest page count a file can hold.");
        PageCount = page.Value + 1;
        if (!_engine.Wal.CanGrowWithoutHeader)
        {
            using PageHandle headerHandle = Write(PageNumber.Header);
            new FileHeaderPage(headerHandle.Writable).PageCount = PageCount;
        }
        return page;
    }

    private PageHandle CreatePrivate(PageNumber page, PageKey? superseded)
    {
        SpillIfNeeded();
        PageKey key = PageVersions.Private(page, _sequence);
        PageHandle handle = _engine.Pool.PinNewVersion(key);
        _private.Add(page.Value, new PrivateVersion(key, ++_writeClock, superseded, FrameIndex.None));
        return handle;
    }

    /// <summary>When <paramref name="page"/> has a private version, stamps it as just written and returns its key.</summary>
    private bool TryTouchPrivate(PageNumber page, out PageKey key)
    {
        ref PrivateVersion version = ref CollectionsMarshal.GetValueRefOrNullRef(_private, page.Value);
        if (Unsafe.IsNullRef(ref version))
        {
            key = default;
            return false;
        }
        version = version with { LastWritten = ++_writeClock };
        key = version.Key;
        return true;
    }

    /// <summary>
    /// A private version's pool key, the write clock when it was last written, the pool key of the version it was
    /// copied from (null for a page allocated, whose old bytes were never read), and, during <see cref="Commit"/>, the
    /// WAL frame it was saved as (<see cref="FrameIndex.None"/> until then).
    /// </summary>
    private readonly record struct PrivateVersion(PageKey Key, long LastWritten, PageKey? Superseded, FrameIndex Frame);

    private PageHandle PinPrivate(PageKey key) => _engine.Pool.Pin(key, _engine.Loader, forWriting: true);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SnapshotPages ThrowNotBegun() =>
        throw new InvalidOperationException("The transaction's pages are used outside a transaction.");
}
