using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Wal;

namespace PageDb.Replication;

/// <summary>
/// Encodes the next segment of a generation (<see cref="SegmentFormat"/>, version 3) from the log between two held
/// snapshots: with <see cref="ReplicationOptions.EveryCommit"/> (the default) one step per commit after <c>from</c> up to <c>to</c>,
/// each with the pages its frames wrote (a rewritten page as a delta against its version before,
/// <see cref="PageDelta"/>) and the pages it grew the database by, so a restore can stop at any of those commits;
/// otherwise one step of the distinct pages changed, whole, as <c>to</c> holds them (what versions 1 and 2 held).
/// Complete because <c>from</c> is held: every later frame is in the log.
/// <para>
/// Page 0 in a segment is as <see cref="ReplicationSource.ReadPage"/> gives it: with the size of the state it belongs
/// to stamped on it (<see cref="HeaderPageCount"/>). A commit that only grew the database did not log page 0 (WAL
/// format 5, docs/FORMAT.md "Unlogged growth"), but the stamped page 0 changed, so a step whose size differs from the
/// one before carries page 0 too: the state after every step (its state hash, and the base of the next step's deltas)
/// is then the one a snapshot at that commit reads, which is what a restarted replicator and a read replica hash.
/// </para>
/// </summary>
/// <remarks>
/// Cost per commit of a step per commit: each frame's page, which the writer no longer caches once a later commit
/// rewrote it (it keeps only the newest version in the pool). Read back from the log (a read call, the frame's decoding
/// and its page checksum; a count frame reads its base frame too) that was about 10 µs of the replicator's thread per
/// one-row W7 commit (docs/benchmarks.md, "Replication"), so the writer hands each commit's pages over as it logs them
/// (<see cref="CommitFrameQueue"/>) and a frame is read back only when its record is missing or unusable; then a
/// comparison with the page's previous version, and a page checksum for a count frame (its logged image is not sealed),
/// a frame read back, page 0, and a sealed record whose runs do not rewrite the whole checksum field.
/// </remarks>
internal sealed class SegmentCut
{
    private readonly ReplicationSource _source;
    private readonly HeldSnapshot _from;
    private SegmentWriter _writer;
    private readonly CommitFrameQueue? _queue; // steps per commit: the logged pages handed over by the writer, or null (read them back)
    private readonly Dictionary<uint, PageVersion> _versions = []; // steps per commit: page -> its version after the last step written (the next delta's base, and the state hash's)
    private readonly Stack<byte[]> _spare = new(); // page buffers no longer needed
    private uint _size; // pages in the database after the last step written
    private DateTimeOffset _lastStepAt = DateTimeOffset.MinValue; // the time of the last step written: the next is no earlier

    private SegmentCut(ReplicationSource source, HeldSnapshot from, CommitFrameQueue? queue, SegmentBuffer buffer)
    {
        _source = source;
        _from = from;
        _queue = queue;
        _size = from.PageCount;
        _writer = new SegmentWriter(source.PageSize, buffer);
    }

    /// <summary>
    /// Encodes the segment <paramref name="info"/> (its commits and size are set here) from the commits after
    /// <paramref name="from"/> up to <paramref name="to"/>, preceded, when <paramref name="catchUp"/> is set, by those
    /// pages as <paramref name="from"/> holds them, standing for its commits (the way from a continued generation's
    /// last shipped state to the opened one). With <paramref name="commitsInOne"/> null, one step per commit (and one
    /// for the catch-up); otherwise one step of the distinct pages as <paramref name="to"/> holds them, standing for the
    /// catch-up's commits and those <paramref name="commitsInOne"/> (<see cref="ReplicationOptions.EveryCommit"/>).
    /// <paramref name="seenBy"/> gives each commit's time (a commit frame's mark). Moves <paramref name="stateHash"/>
    /// to the state after the segment and writes it in. <paramref name="queue"/>, when given, holds the pages the writer
    /// handed over (only the steps per commit use it), asked for in increasing frame order. The segment is encoded into
    /// <paramref name="buffer"/> (a one-step segment into an array of its own, sized exactly: it may be as large as the
    /// database, which the buffer would then keep).
    /// </summary>
    public static (ArraySegment<byte> Bytes, ulong Checksum, SegmentInfo Info) Encode(
        ReplicationSource source, HeldSnapshot from, HeldSnapshot to, SegmentInfo info, (IReadOnlyCollection<PageNumber> Pages, long Commits, DateTimeOffset At)? catchUp,
        Func<WalMark, DateTimeOffset> seenBy, DatabaseStateHash stateHash, long? commitsInOne, CommitFrameQueue? queue, SegmentBuffer buffer)
    {
        var cut = new SegmentCut(source, from, queue, buffer);
        long commits = info.Commits;
        if (commitsInOne is { } inOne)
            commits = cut.WriteOneStep(to, catchUp, commits, inOne, seenBy, stateHash);
        else
        {
            if (catchUp is { } owed)
            {
                commits += owed.Commits;
                cut.WriteCatchUp(owed.Pages, commits, owed.At);
            }
            commits = cut.WriteCommits(to.Mark, commits, seenBy);
        }
        stateHash.Resize(cut._size);
        foreach ((uint page, PageVersion version) in cut._versions)
            stateHash.Set(new PageNumber(page), version.Image);
        info = info with { Commits = commits, DatabaseSize = cut._size, StateHash = stateHash.Value };
        (ArraySegment<byte> bytes, ulong checksum) = cut._writer.Finish(info);
        return (bytes, checksum, info);
    }

    /// <summary>
    /// One step of every page changed since <see cref="_from"/> (and the catch-up's), whole, as <paramref name="to"/>
    /// holds them; none when nothing changed. Each page goes into <paramref name="stateHash"/> as it is read and is not
    /// kept: no later step needs it as a delta base (a segment's worth of pages was held twice, in the segment and
    /// for the hash).
    /// </summary>
    private long WriteOneStep(HeldSnapshot to, (IReadOnlyCollection<PageNumber> Pages, long Commits, DateTimeOffset At)? catchUp, long commits, long inOne, Func<WalMark, DateTimeOffset> seenBy, DatabaseStateHash stateHash)
    {
        if (to.Mark == _from.Mark && catchUp is null)
            return commits;
        List<PageNumber> pages = _source.ChangedPages(_from, to);
        if (catchUp is { } owed)
            pages = [.. pages.Union(owed.Pages.Where(p => p.Value < to.PageCount)).Order()];
        if ((catchUp is not null || to.PageCount != _from.PageCount) && (pages.Count == 0 || pages[0] != PageNumber.Header))
            pages.Insert(0, PageNumber.Header); // unlogged growth: page 0 changes by its stamped count alone
        commits += (catchUp?.Commits ?? 0) + inOne;
        _size = to.PageCount;
        // Sized exactly, so the segment is encoded into the array that is put, as versions 1 and 2 were.
        int exact = SegmentFormat.HeaderSize + SegmentFormat.StepHeaderSize + (pages.Count * (SegmentFormat.PageRecordHeaderSize + _source.PageSize)) + SegmentFormat.TrailerSize;
        _writer = new SegmentWriter(_source.PageSize, exact);
        BeginStep(commits, to.Mark == _from.Mark ? catchUp!.Value.At : seenBy(to.Mark), _size);
        stateHash.Resize(_size);
        byte[] image = Rent();
        foreach (PageNumber page in pages)
        {
            _source.ReadPage(to, page, image);
            _writer.AddWhole(page, image);
            stateHash.Set(page, image);
        }
        return commits;
    }

    private void WriteCatchUp(IReadOnlyCollection<PageNumber> pages, long commits, DateTimeOffset at)
    {
        BeginStep(commits, at, _size);
        // Page 0 always: the stored state's may count other pages than _from's, which a commit that only grew the
        // database changed without logging page 0 (so the owed pages need not name it).
        foreach (PageNumber page in pages.Where(p => p.Value < _size).Append(PageNumber.Header).Distinct().Order())
        {
            PageVersion version = ReadVersion(_from, page);
            _writer.AddWhole(page, version.Image);
            _versions[page.Value] = version;
        }
    }

    /// <summary>Writes a step for each commit after <see cref="_from"/> up to <paramref name="to"/>; returns the commits through the last.</summary>
    private long WriteCommits(WalMark to, long commits, Func<WalMark, DateTimeOffset> seenBy)
    {
        var written = new Dictionary<uint, FrameIndex>(); // the commit's pages so far -> their newest frame
        var logged = new List<(FrameIndex Frame, uint Page)>();
        var step = new List<(uint Page, byte[] After, PageVersion? Before)>(); // the commit's pages, sorted into the step's (page) order
        // Committed frames only: a rolled-back transaction's frames keep their indexes (and, where the next commit did
        // not overwrite them, their bytes), and are no part of the commit after them.
        var frames = new List<(FrameIndex Frame, PageNumber Page, uint CommitSize)>();
        _source.CollectCommittedFrames(_from, to, frames);
        foreach ((FrameIndex frame, PageNumber page, uint commitSize) in frames)
        {
            written[page.Value] = frame;
            if (commitSize == 0)
                continue;
            var commit = new WalMark(frame);
            BeginStep(++commits, seenBy(commit), commitSize);
            // The logged pages in the order they were logged, as the queue holds their records (asked for in increasing
            // frame order: it passes over the records of earlier frames); then the pages the commit changed without
            // logging them.
            logged.Clear();
            foreach ((uint number, FrameIndex newest) in written)
            {
                if (number < commitSize)
                    logged.Add((newest, number));
            }
            logged.Sort();
            foreach ((FrameIndex newest, uint number) in logged)
                step.Add(ReadVersions(new PageNumber(number), newest, commit, commitSize));
            if (commitSize != _size && !written.ContainsKey(PageNumber.Header.Value))
                step.Add(ReadVersions(PageNumber.Header, FrameIndex.None, commit, commitSize)); // unlogged growth: page 0 changes by its stamped count alone
            for (uint grown = _size; grown < commitSize; grown++)
            {
                if (!written.ContainsKey(grown))
                    step.Add(ReadVersions(new PageNumber(grown), FrameIndex.None, commit, commitSize));
            }
            step.Sort(static (a, b) => a.Page.CompareTo(b.Page));
            foreach ((uint number, byte[] after, PageVersion? before) in step)
                WritePage(new PageNumber(number), written.GetValueOrDefault(number, FrameIndex.None), after, before);
            step.Clear();
            if (commitSize < _size)
            {
                foreach (uint gone in _versions.Keys.Where(p => p >= commitSize).ToList())
                {
                    _spare.Push(_versions[gone].Image);
                    _versions.Remove(gone);
                }
            }
            _size = commitSize;
            written.Clear();
        }
        return commits;
    }

    /// <summary>
    /// <paramref name="page"/>'s version after <paramref name="commit"/> (of <paramref name="commitSize"/> pages, stamped
    /// on page 0): the one <paramref name="frame"/> logged, rebuilt from its record in the queue when it has a usable one
    /// (<see cref="CommitFrameQueue"/>), else read back; or (no frame) the one it had. With it, its version before
    /// (the last step's, or <see cref="_from"/>'s), or null for a page new to the database (or grown again after a shrink).
    /// </summary>
    private (uint Page, byte[] After, PageVersion? Before) ReadVersions(PageNumber page, FrameIndex frame, WalMark commit, uint commitSize)
    {
        PageVersion? before = null;
        if (page.Value < _size)
            before = _versions.TryGetValue(page.Value, out PageVersion known) ? known : ReadVersion(_from, page);
        byte[] after = Rent();
        if (frame.IsNone)
            _source.ReadPageAt(commit, commitSize, page, after);
        else if (_queue is not null && _queue.TryRebuild(frame, page, before?.Image, before?.Frame ?? FrameIndex.None, after, out bool isSealed))
        {
            if (!isSealed)
                ReplicationSource.SealAsRead(page, commitSize, after);
        }
        else
            _source.ReadFrame(page, frame, commitSize, after);
        return (page.Value, after, before);
    }

    /// <summary>Writes <paramref name="page"/>'s version <paramref name="after"/>, which <paramref name="frame"/> logged (or none), to the step.</summary>
    private void WritePage(PageNumber page, FrameIndex frame, byte[] after, PageVersion? before)
    {
        if (before is { } known)
        {
            _writer.AddVersion(page, known.Image, after);
            _spare.Push(known.Image);
        }
        else
        {
            _writer.AddWhole(page, after);
        }
        _versions[page.Value] = new PageVersion(after, page == PageNumber.Header ? FrameIndex.None : frame);
    }

    /// <summary><paramref name="page"/> as <paramref name="at"/> holds it, with the frame it was logged as (none for page 0: stamped).</summary>
    private PageVersion ReadVersion(HeldSnapshot at, PageNumber page)
    {
        byte[] image = Rent();
        _source.ReadPage(at, page, image);
        return new PageVersion(image, page == PageNumber.Header ? FrameIndex.None : ReplicationSource.FrameOf(at, page));
    }

    /// <summary>
    /// Starts the next step, at <paramref name="at"/> or the step before's time when that is later: step times must not
    /// decrease (<see cref="SegmentFormat"/>), and the catch-up's time (when the open began) or a poll's may be later
    /// than the next commit's when the wall clock went back.
    /// </summary>
    private void BeginStep(long commits, DateTimeOffset at, uint databaseSize)
    {
        if (at < _lastStepAt)
            at = _lastStepAt;
        _lastStepAt = at;
        _writer.BeginStep(commits, at, databaseSize);
    }

    private byte[] Rent() => _spare.Count > 0 ? _spare.Pop() : new byte[_source.PageSize];
}

/// <summary>A page's version a cut holds: its bytes, sealed, and the frame that logged them (none when unknown, or page 0's stamped size may differ).</summary>
internal readonly record struct PageVersion(byte[] Image, FrameIndex Frame);
