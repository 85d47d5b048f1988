namespace PageDb;

/// <summary>
/// Every frame of the buffer pool is pinned or holds an unsaved change, so no page can be brought in. Raise
/// <see cref="PageDbException"/>-level capacity (a larger cache) or release pages sooner.
/// </summary>
public class BufferPoolExhaustedException : PageDbException
{
    /// <summary>Creates the exception for a pool of <paramref name="frameCount"/> frames.</summary>
    public BufferPoolExhaustedException(int frameCount, int pinned, int dirty)
        : base($"The buffer pool is exhausted: all {frameCount} frames are pinned ({pinned}) or hold unsaved changes ({dirty}). Use a larger cache or release pages sooner.")
    {
    }
}
