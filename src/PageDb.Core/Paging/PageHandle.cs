using System.Diagnostics;
using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// A pinned page: the only way to touch page bytes. Dispose it (<c>using var page = accessor.Read(n);</c>) to unpin;
/// its spans must not be used after that. A handle is a small struct: do not copy it and dispose both copies.
/// </summary>
internal readonly struct PageHandle : IDisposable
{
    private readonly PageFrame? _frame;

    /// <summary>Wraps a frame that the caller has already pinned once for this handle.</summary>
    public PageHandle(PageFrame frame, bool isWritable)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _frame = frame;
        IsWritable = isWritable;
        if (isWritable)
            frame.KeyOrderChecked = false; // the page may change: its keys are checked again at the next walk
    }

    /// <summary>True when the page may be changed through <see cref="Writable"/>.</summary>
    public bool IsWritable { get; }

    /// <summary>The page's number.</summary>
    public PageNumber Number => Frame.Number;

    /// <summary>The page's type, from its header.</summary>
    public PageType Type => PageHeader.GetType(Frame.Buffer);

    /// <summary>True once the B+tree checked that this leaf's keys ascend, since the frame took the page or was last handed out for writing.</summary>
    public bool KeyOrderChecked => Frame.KeyOrderChecked;

    /// <summary>Records that this leaf's keys were checked to ascend (see <see cref="PageFrame.KeyOrderChecked"/>).</summary>
    public void MarkKeyOrderChecked() => Frame.KeyOrderChecked = true;

    /// <summary>The page bytes, read-only.</summary>
    public ReadOnlySpan<byte> Data => Frame.Buffer;

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

    /// <summary>Unpins the page.</summary>
    public void Dispose() => _frame?.Unpin();
}
