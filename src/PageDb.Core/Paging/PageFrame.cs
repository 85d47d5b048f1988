using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// A page-sized buffer that holds one page while somebody has it pinned. The buffer pool's frames derive from this;
/// so may simpler page holders (for example an in-memory accessor in tests). Reach it through a <see cref="PageHandle"/>.
/// </summary>
internal abstract class PageFrame
{
    /// <summary>Creates a frame over <paramref name="buffer"/>, which must be exactly one page long.</summary>
    protected PageFrame(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Buffer = buffer;
    }

    /// <summary>The page bytes. Valid only while the frame is pinned.</summary>
    public byte[] Buffer { get; }

    /// <summary>The number of the page currently held.</summary>
    public PageNumber Number { get; protected set; }

    /// <summary>Releases one pin taken when a <see cref="PageHandle"/> over this frame was handed out.</summary>
    public abstract void Unpin();
}
