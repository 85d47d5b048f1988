using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Testing;

/// <summary>
/// The simplest possible <see cref="IPageAccessor"/>: pages in a dictionary, freed pages in a set, no files and no
/// checksums. A reference for tests of the layers above pages: it counts pins so a test can prove every handle was
/// released, and it knows exactly which pages are live so a test can prove no page was lost or freed twice.
/// Single-threaded.
/// </summary>
internal sealed class InMemoryPageAccessor : IPageAccessor
{
    private readonly Dictionary<uint, Frame> _pages = [];
    private readonly SortedSet<uint> _free = [];
    private uint _nextPage = 1; // page 0 is the file header in real files: never handed out

    /// <summary>Creates an accessor with pages of <paramref name="pageSize"/> bytes.</summary>
    public InMemoryPageAccessor(int pageSize = 4096) => PageSize = pageSize;

    /// <inheritdoc/>
    public int PageSize { get; }

    /// <inheritdoc/>
    public string FilePath => "(memory)";

    /// <inheritdoc/>
    public uint FormatVersion { get; init; } = FileHeaderPage.CurrentFormatVersion;

    /// <inheritdoc/>
    public uint PageCount => _nextPage;

    /// <summary>Pins currently held; zero whenever no operation is in progress.</summary>
    public int PinCount { get; private set; }

    /// <summary>Number of pages allocated and not freed.</summary>
    public int LivePageCount => _pages.Count;

    /// <summary>The pages allocated and not freed.</summary>
    public IReadOnlyCollection<uint> LivePages => _pages.Keys;

    /// <summary>Pages ever allocated (the size a file would have grown to, less the header).</summary>
    public uint HighWaterMark => _nextPage - 1;

    /// <inheritdoc/>
    public PageHandle Read(PageNumber page) => Pin(page, isWritable: false);

    /// <inheritdoc/>
    public PageHandle Write(PageNumber page) => Pin(page, isWritable: true);

    /// <inheritdoc/>
    public PageHandle Allocate(PageType type)
    {
        uint number;
        if (_free.Count > 0)
        {
            number = _free.Min;
            _free.Remove(number);
        }
        else
        {
            number = _nextPage++;
        }
        var frame = new Frame(this, new byte[PageSize], new PageNumber(number));
        PageHeader.Initialize(frame.Buffer, type, frame.Number);
        _pages.Add(number, frame);
        return Pin(frame.Number, isWritable: true);
    }

    /// <inheritdoc/>
    public void Free(PageNumber page)
    {
        if (!_pages.Remove(page.Value))
            throw new InvalidOperationException($"page {page} freed but not live (double free or never allocated)");
        _free.Add(page.Value);
    }

    private PageHandle Pin(PageNumber page, bool isWritable)
    {
        if (!_pages.TryGetValue(page.Value, out Frame? frame))
            throw new InvalidOperationException($"page {page} is not live");
        PinCount++;
        return new PageHandle(frame, isWritable);
    }

    private sealed class Frame : PageFrame
    {
        private readonly InMemoryPageAccessor _owner;

        public Frame(InMemoryPageAccessor owner, byte[] buffer, PageNumber number) : base(buffer)
        {
            _owner = owner;
            Number = number;
        }

        public override void Unpin()
        {
            if (_owner.PinCount <= 0)
                throw new InvalidOperationException("unpinned more often than pinned");
            _owner.PinCount--;
        }
    }
}
