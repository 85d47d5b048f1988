namespace PageDb.Core.Buffers;

/// <summary>Tells a replacer which frames it may choose right now (unpinned ones).</summary>
internal interface IEvictionCandidates
{
    /// <summary>True when <paramref name="frame"/> may be evicted now.</summary>
    bool IsEvictable(int frame);
}

/// <summary>
/// The eviction policy of a <see cref="BufferPool"/>, over frame indexes 0..capacity-1. It tracks exactly the frames
/// the pool tells it about (cached, clean frames); the pool holds its lock around every call.
/// </summary>
internal interface IReplacer
{
    /// <summary>Records an access to <paramref name="frame"/>, adding it when it is not tracked.</summary>
    void RecordAccess(int frame);

    /// <summary>Stops tracking <paramref name="frame"/> (evicted, removed, or made dirty).</summary>
    void Remove(int frame);

    /// <summary>True when <paramref name="frame"/> is tracked (for the pool's <see cref="BufferPool.Verify"/>).</summary>
    bool Contains(int frame);

    /// <summary>Chooses a tracked frame to evict, among those <paramref name="candidates"/> allow; -1 when there is none.</summary>
    int ChooseVictim(IEvictionCandidates candidates);
}
