using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// A page-sized buffer that holds one page while somebody has it pinned. The buffer pool's frames derive from this;
/// so may simpler page holders (for example an in-memory accessor in tests). Reach it through a <see cref="PageHandle"/>.
/// </summary>
internal abstract class PageFrame
{
    private PageNumber _number;

    /// <summary>Creates a frame over <paramref name="buffer"/>, which must be exactly one page long.</summary>
    protected PageFrame(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Buffer = buffer;
    }

    /// <summary>The page bytes. Valid only while the frame is pinned.</summary>
    public byte[] Buffer { get; }

    /// <summary>The number of the page currently held. Setting it (the frame takes another page or version) clears <see cref="KeyOrderChecked"/>.</summary>
    public PageNumber Number
    {
        get => _number;
        protected set
        {
            _number = value;
            KeyOrderChecked = false;
        }
    }

    /// <summary>
    /// Set by the B+tree once it has checked that the keys of the leaf held here ascend, so a walk need not compare
    /// them again; cleared when the frame takes another page or version and when a writable handle is made over it.
    /// Readers that race on it at worst check a leaf twice: it is set only while the setter holds a pin.
    /// </summary>
    public bool KeyOrderChecked { get; set; }

    /// <summary>Releases one pin taken when a <see cref="PageHandle"/> over this frame was handed out.</summary>
    public abstract void Unpin();
}
