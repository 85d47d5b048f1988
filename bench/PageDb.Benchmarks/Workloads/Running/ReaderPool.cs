namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// Readers of one open engine, opened on first use and kept, so that a reader's warm state (SQLite's per-connection
/// cache) carries from the warm-up repetition into the measured ones.
/// </summary>
public sealed class ReaderPool(IBenchmarkEngine engine) : IDisposable
{
    private readonly List<IBenchmarkReader> _readers = [];

    /// <summary>Reader number <paramref name="index"/> (0, 1, ...); call from the runner's thread only.</summary>
    public IBenchmarkReader Get(int index)
    {
        while (_readers.Count <= index)
        {
            _readers.Add(engine.OpenReader());
        }
        return _readers[index];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (IBenchmarkReader reader in _readers)
        {
            reader.Dispose();
        }
        _readers.Clear();
    }
}
