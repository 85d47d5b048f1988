namespace PageDb.Testing;

/// <summary>
/// The reference for <c>TwoQueueReplacer</c>: two plain lists, oldest first. A first access appends to probation, a
/// later one moves the frame to the end of protected; victims come from probation first while it holds more than a
/// quarter of the tracked frames (or protected is empty), else from protected, skipping frames that are not evictable.
/// </summary>
internal sealed class TwoQueueModel
{
    /// <summary>Frames seen once, oldest first (FIFO).</summary>
    public List<int> Probation { get; } = [];

    /// <summary>Frames seen again, least recently used first.</summary>
    public List<int> Protected { get; } = [];

    /// <summary>Records an access to <paramref name="frame"/>.</summary>
    public void RecordAccess(int frame)
    {
        bool seen = Probation.Remove(frame) | Protected.Remove(frame);
        (seen ? Protected : Probation).Add(frame);
    }

    /// <summary>Stops tracking <paramref name="frame"/>.</summary>
    public void Remove(int frame)
    {
        Probation.Remove(frame);
        Protected.Remove(frame);
    }

    /// <summary>True when <paramref name="frame"/> is tracked.</summary>
    public bool Contains(int frame) => Probation.Contains(frame) || Protected.Contains(frame);

    /// <summary>Chooses and stops tracking the victim among <paramref name="evictable"/>; -1 when there is none.</summary>
    public int ChooseVictim(ISet<int> evictable)
    {
        bool probationFirst = Probation.Count * 4 > Probation.Count + Protected.Count || Protected.Count == 0;
        List<int> first = probationFirst ? Probation : Protected;
        List<int> second = probationFirst ? Protected : Probation;
        int victim = OldestIn(first, evictable);
        if (victim < 0)
            victim = OldestIn(second, evictable);
        if (victim >= 0)
            Remove(victim);
        return victim;
    }

    private static int OldestIn(List<int> queue, ISet<int> evictable)
    {
        foreach (int frame in queue)
        {
            if (evictable.Contains(frame))
                return frame;
        }
        return -1;
    }
}
