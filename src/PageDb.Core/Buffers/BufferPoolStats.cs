namespace PageDb.Core.Buffers;

/// <summary>Counters of a <see cref="BufferPool"/>, read at one moment.</summary>
/// <param name="Hits">Pins served from the cache.</param>
/// <param name="Misses">Pins that had to load the page.</param>
/// <param name="Evictions">Cached pages dropped to make room.</param>
/// <param name="CachedPages">Pages held now.</param>
/// <param name="PinnedFrames">Frames pinned now.</param>
/// <param name="DirtyFrames">Frames marked dirty now (never evicted).</param>
/// <param name="FrameCount">The pool's capacity in frames.</param>
internal readonly record struct BufferPoolStats(
    long Hits, long Misses, long Evictions, int CachedPages, int PinnedFrames, int DirtyFrames, int FrameCount);
