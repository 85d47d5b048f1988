using PageDb.Core.Pages;
using PageDb.Engine;

namespace PageDb.Replication;

/// <summary>
/// A fingerprint of a whole database state that a replicator keeps up to date page by page: the sum (mod 2^64) of the
/// XxHash3 of every page image, pages 0 to page count - 1, each image as the file holds it. An image carries its own
/// page number (bytes 4-7), so the same bytes at another place hash differently, and the sum does not depend on the
/// order the pages were hashed in: a cut updates only the pages it ships. Two states with equal hashes and page counts
/// are taken to be the same state (a chance match of 2^-64 per comparison, for states that are not built to collide).
/// <para>
/// A replicator keeps it beside the shipped state (<see cref="Replicator"/>): the snapshot's pages when a generation starts, then
/// each segment's pages as they are encoded, and written into every segment (<see cref="SegmentFormat"/>, version 2),
/// so that a restarted replicator can tell whether its database's history passes through the last shipped state
/// (<see cref="GenerationResume"/>). After a failed put it may be ahead of the store: the next cut covers every page
/// changed since the mark, so it catches up with what it ships.
/// </para>
/// A read replica keeps one beside its applied state (<see cref="SegmentChain"/>) for its position file.
/// Memory: 8 bytes per page of the database. Used from one thread at a time, its owner's (the replicator's, or the
/// read replica's while it opens and then its loop's).
/// </summary>
internal sealed class DatabaseStateHash
{
    private ulong[] _pages = [];
    private uint _count;
    private readonly HashSet<uint> _unreadable = [];

    /// <summary>The fingerprint of the state, once every page below <see cref="PageCount"/> was set.</summary>
    public ulong Value { get; private set; }

    /// <summary>Pages in the state.</summary>
    public uint PageCount => _count;

    /// <summary>Pages below <see cref="PageCount"/> whose image could not be read (<see cref="SetUnreadable"/>): while any is, <see cref="Value"/> means nothing.</summary>
    public int UnreadablePages => _unreadable.Count;

    /// <summary>The fingerprint of one page image.</summary>
    public static ulong Of(ReadOnlySpan<byte> image) => RecoveredHistory.Fingerprint(image);

    /// <summary>
    /// The fingerprint of <paramref name="database"/>'s latest committed state, every page read (checksum verified)
    /// as a read transaction sees it: one pass over the database.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">A page fails its checksum.</exception>
    public static DatabaseStateHash OfDatabase(PageDatabase database)
    {
        var source = new ReplicationSource(database);
        using HeldSnapshot snapshot = source.Hold();
        return OfSnapshot(source, snapshot, markUnreadable: false);
    }

    /// <summary>
    /// The fingerprint of <paramref name="snapshot"/>, every page read once (checksum verified): a page failing its
    /// checksum throws, or with <paramref name="markUnreadable"/> is recorded as unreadable (<see cref="SetUnreadable"/>).
    /// </summary>
    /// <exception cref="CorruptDatabaseException">A page fails its checksum and <paramref name="markUnreadable"/> is false.</exception>
    public static DatabaseStateHash OfSnapshot(ReplicationSource source, HeldSnapshot snapshot, bool markUnreadable)
    {
        var hash = new DatabaseStateHash();
        hash.Resize(snapshot.PageCount);
        var image = new byte[source.PageSize];
        for (uint page = 0; page < snapshot.PageCount; page++)
        {
            try
            {
                source.ReadPage(snapshot, new PageNumber(page), image);
                hash.Set(new PageNumber(page), image);
            }
            catch (CorruptDatabaseException) when (markUnreadable)
            {
                hash.SetUnreadable(new PageNumber(page));
            }
        }
        return hash;
    }

    /// <summary>Moves the state on by a commit of <paramref name="pages"/> that leaves it <paramref name="pageCount"/> pages long.</summary>
    public void Apply(uint pageCount, IReadOnlyList<(PageNumber Page, ReadOnlyMemory<byte> Image)> pages)
    {
        Resize(pageCount);
        foreach ((PageNumber page, ReadOnlyMemory<byte> image) in pages)
            Set(page, image.Span);
    }

    /// <summary>A copy to change apart from this one.</summary>
    public DatabaseStateHash Clone()
    {
        var copy = new DatabaseStateHash { _pages = (ulong[])_pages.Clone(), _count = _count, Value = Value };
        copy._unreadable.UnionWith(_unreadable);
        return copy;
    }

    /// <summary>Sets the state's size: pages past <paramref name="pageCount"/> leave the sum; new ones must be set before <see cref="Value"/> counts them.</summary>
    public void Resize(uint pageCount)
    {
        for (uint page = pageCount; page < _count; page++)
        {
            Value -= _pages[page];
            _pages[page] = 0;
            _unreadable.Remove(page);
        }
        if (pageCount > _pages.Length)
            Array.Resize(ref _pages, (int)Math.Max(pageCount, Math.Min(2L * _pages.Length, int.MaxValue)));
        _count = pageCount;
    }

    /// <summary>Replaces the image of <paramref name="page"/> (below <see cref="PageCount"/>) in the sum.</summary>
    public void Set(PageNumber page, ReadOnlySpan<byte> image) => Set(page, Of(image));

    /// <summary>Replaces the fingerprint (<see cref="Of"/>) of <paramref name="page"/> (below <see cref="PageCount"/>) in the sum.</summary>
    public void Set(PageNumber page, ulong hash)
    {
        Value += hash - _pages[page.Value];
        _pages[page.Value] = hash;
        _unreadable.Remove(page.Value);
    }

    /// <summary>True when <paramref name="page"/> (below <see cref="PageCount"/>) is set to the fingerprint <paramref name="hash"/>.</summary>
    public bool Holds(PageNumber page, ulong hash) => _pages[page.Value] == hash && !_unreadable.Contains(page.Value);

    /// <summary>
    /// Records that <paramref name="page"/>'s image failed its checksum (a database file page torn by a crash, which
    /// a later frame of the log replaces): the state cannot be compared until the page is set again.
    /// </summary>
    public void SetUnreadable(PageNumber page)
    {
        Value -= _pages[page.Value];
        _pages[page.Value] = 0;
        _unreadable.Add(page.Value);
    }
}
