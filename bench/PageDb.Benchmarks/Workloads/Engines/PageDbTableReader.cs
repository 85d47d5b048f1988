using PageDb.Execution;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>Reads through the tables API for one thread; every call is one read transaction, as the interface asks.</summary>
internal sealed class PageDbTableReader(PageDatabase database) : IBenchmarkReader
{
    /// <summary>The one column the scans read: <c>value</c>.</summary>
    private static readonly string[] ValueColumn = ["value"];

    /// <summary>Filled by every lookup, so a lookup allocates only the row's strings.</summary>
    private readonly RowBuffer _found = new();

    /// <summary>Filled by every step of a scan (README's allocation-free scan), so a scan allocates nothing per row.</summary>
    private readonly RowBuffer _scanned = new();

    public bool TryGet(long id, out BenchRow row)
    {
        using ReadTransaction transaction = database.BeginRead();
        bool found = transaction.GetTable(PageDbTableEngine.TableName).TryGet(id, _found);
        row = found ? new BenchRow(id, _found.GetString(1), _found.GetDouble(2), _found.GetString(3)) : default;
        return found;
    }

    public ScanTotals ScanAll()
    {
        using ReadTransaction transaction = database.BeginRead();
        using TableScan scan = transaction.GetTable(PageDbTableEngine.TableName).Scan(columns: ValueColumn);
        scan.Open();
        ScanTotals totals = default;
        while (scan.NextInto(_scanned))
            totals = totals.Add(_scanned.GetDouble(0));
        return totals;
    }

    public ScanTotals ScanRange(long fromInclusive, long toExclusive)
    {
        using ReadTransaction transaction = database.BeginRead();
        using IndexScan scan = transaction.GetTable(PageDbTableEngine.TableName)
            .IndexScan(index: null, Row.Of(fromInclusive), Row.Of(toExclusive), fromInclusive: true, toInclusive: false, columns: ValueColumn);
        scan.Open();
        ScanTotals totals = default;
        while (scan.NextInto(_scanned))
            totals = totals.Add(_scanned.GetDouble(0));
        return totals;
    }

    public void Dispose()
    {
    }
}
