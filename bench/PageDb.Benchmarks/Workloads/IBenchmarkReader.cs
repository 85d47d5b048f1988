namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// Reads from an <see cref="IBenchmarkEngine"/>; used by one thread at a time, and disposed before its engine.
/// Each method is one read transaction.
/// </summary>
public interface IBenchmarkReader : IDisposable
{
    /// <summary>
    /// Point lookup by key (W3, W8): reads the WHOLE row (name, value, payload) into <paramref name="row"/>; returns
    /// false when the id is not stored.
    /// </summary>
    bool TryGet(long id, out BenchRow row);

    /// <summary>
    /// Full scan (W4, and the untimed checks of other workloads): visits every stored row in key order, reading at
    /// least its value, and returns how many rows it saw and the sum of their values.
    /// </summary>
    ScanTotals ScanAll();

    /// <summary>
    /// Range scan in key order over ids in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>)
    /// (W5): reads at least the value of each row, returns the count and the sum of values.
    /// </summary>
    ScanTotals ScanRange(long fromInclusive, long toExclusive);
}
