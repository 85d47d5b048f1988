namespace PageDb.Testing;

/// <summary>
/// The reference for logs and transactions: the full page contents after every commit, the pages written since the
/// last commit, and rollback. Snapshot 0 is the state before the first commit (no page). Single-threaded.
/// </summary>
internal sealed class CommittedPagesModel
{
    private readonly List<Dictionary<uint, byte[]>> _snapshots = [new()];
    private readonly Dictionary<uint, byte[]> _pending = [];

    /// <summary>Commits so far.</summary>
    public int Commits => _snapshots.Count - 1;

    /// <summary>Every page written by any commit.</summary>
    public IReadOnlyCollection<uint> AllPages => _snapshots[^1].Keys;

    /// <summary>Pages written since the last commit.</summary>
    public IReadOnlyDictionary<uint, byte[]> Pending => _pending;

    /// <summary>Records a page write of the open transaction (a copy is kept).</summary>
    public void Write(uint page, ReadOnlySpan<byte> image) => _pending[page] = image.ToArray();

    /// <summary>Makes the pending writes snapshot <see cref="Commits"/> + 1.</summary>
    public void Commit()
    {
        var next = new Dictionary<uint, byte[]>(_snapshots[^1]);
        foreach ((uint page, byte[] image) in _pending)
            next[page] = image;
        _snapshots.Add(next);
        _pending.Clear();
    }

    /// <summary>Forgets the pending writes.</summary>
    public void Rollback() => _pending.Clear();

    /// <summary>The page contents after commit <paramref name="commit"/> (0 = before any).</summary>
    public IReadOnlyDictionary<uint, byte[]> StateAfter(int commit) => _snapshots[commit];

    /// <summary>Keeps only the first <paramref name="commits"/> commits (what a crash that lost the rest leaves).</summary>
    public void TruncateTo(int commits)
    {
        _snapshots.RemoveRange(commits + 1, _snapshots.Count - commits - 1);
        _pending.Clear();
    }
}
