using System.Diagnostics;
using System.Runtime.Intrinsics.X86;
using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// A pinned page: the only way to touch page bytes. Dispose it (<c>using var page = accessor.Read(n);</c>) to unpin;
/// its spans must not be used after that. A handle is a small struct: do not copy it and dispose both copies.
/// It holds either a frame (a buffer-pool frame, or a test's page holder) or a page of the database file lent in
/// place from its memory mapping (<see cref="InPlacePages"/>), read-only; Dispose returns the loan.
/// </summary>
internal readonly struct PageHandle : IDisposable
{
    private readonly PageFrame? _frame;
    private readonly InPlacePages? _lender; // set instead of _frame for a page lent in place
    private readonly nint _address;         // the lent page's first byte in the mapping

    /// <summary>Wraps a frame that the caller has already pinned once for this handle.</summary>
    public PageHandle(PageFrame frame, bool isWritable)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _frame = frame;
        IsWritable = isWritable;
        if (isWritable)
            frame.KeyOrderChecked = false; // the page may change: its keys are checked again at the next walk
    }

    /// <summary>Wraps a page lent in place at <paramref name="address"/>, whose loan the caller has taken for this handle.</summary>
    public PageHandle(InPlacePages lender, nint address)
    {
        _lender = lender;
        _address = address;
    }

    /// <summary>True when the page may be changed through <see cref="Writable"/>.</summary>
    public bool IsWritable { get; }

    /// <summary>The page's number.</summary>
    public PageNumber Number => _lender is null ? Frame.Number : PageHeader.GetPageNumber(Data); // a lent page was checked to record its own number

    /// <summary>The page's type, from its header.</summary>
    public PageType Type => PageHeader.GetType(Data);

    /// <summary>
    /// True once the B+tree checked that this leaf's keys ascend, since the frame took the page or was last handed out
    /// for writing (for a lent page: since the file last changed it).
    /// </summary>
    public bool KeyOrderChecked => _lender is null ? Frame.KeyOrderChecked : _lender.KeyOrderChecked(_address);

    /// <summary>Records that this leaf's keys were checked to ascend (see <see cref="PageFrame.KeyOrderChecked"/>).</summary>
    public void MarkKeyOrderChecked()
    {
        if (_lender is null)
            Frame.KeyOrderChecked = true;
        else
            _lender.MarkKeyOrderChecked(_address);
    }

    /// <summary>The page bytes, read-only.</summary>
    public ReadOnlySpan<byte> Data => _lender is null ? Frame.Buffer : _lender.Bytes(_address);

    /// <summary>The page bytes for changing; only on handles from <see cref="IPageAccessor.Write"/> or <see cref="IPageAccessor.Allocate"/>.</summary>
    public Span<byte> Writable
    {
        get
        {
            Debug.Assert(IsWritable, "page was pinned for reading; use IPageAccessor.Write to change it");
            return Frame.Buffer;
        }
    }

    private PageFrame Frame
    {
        get
        {
            Debug.Assert(_frame is not null, "default(PageHandle) holds no page");
            return _frame!;
        }
    }

    /// <summary>
    /// Asks the CPU for every cache line of the page at once, so that the misses of a page no cache holds overlap
    /// instead of each read waiting for its own: a hint that reads nothing and changes no result. False, having asked
    /// nothing, for a page of more than <see cref="MaxLinesRequested"/> lines or a CPU without prefetch instructions.
    /// </summary>
    public unsafe bool TryRequestAllLines()
    {
        ReadOnlySpan<byte> page = Data;
        if (!Sse.IsSupported || page.Length > MaxLinesRequested * CacheLineSize)
            return false;
        fixed (byte* first = page)
        {
            for (int offset = 0; offset < page.Length; offset += CacheLineSize)
                Sse.Prefetch0(first + offset);
        }
        return true;
    }

    /// <summary>The most lines <see cref="TryRequestAllLines"/> asks for: a 4 KiB page's (64 requests cost tens of nanoseconds).</summary>
    public const int MaxLinesRequested = 64;

    private const int CacheLineSize = 64;

    /// <summary>Unpins the page, or returns its loan.</summary>
    public void Dispose()
    {
        if (_frame is not null)
            _frame.Unpin();
        else
            _lender?.Return();
    }
}
