using PageDb.Execution;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>Reads through the tables API for one thread; every call is one read transaction, as the interface asks.</summary>
internal sealed class PageDbTableReader(PageDatabase database) : IBenchmarkReader
{
    /// <summary>The one column the scans read: <c>value</c>.</summary>
    private static readonly string[] ValueColumn = ["value"];

    /// <summary>Filled by every lookup, so a lookup allocates only the row's strings.</summary>
    private readonly RowBuffer _found = new();

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
        return SumValues(scan);
    }

    public ScanTotals ScanRange(long fromInclusive, long toExclusive)
    {
        using ReadTransaction transaction = database.BeginRead();
        using IndexScan scan = transaction.GetTable(PageDbTableEngine.TableName)
            .IndexScan(index: null, Row.Of(fromInclusive), Row.Of(toExclusive), fromInclusive: true, toInclusive: false, columns: ValueColumn);
        return SumValues(scan);
    }

    public void Dispose()
    {
    }

    /// <summary>Counts the rows of <paramref name="plan"/>, whose column 0 is <c>value</c>, and sums it; the caller disposes the plan.</summary>
    private static ScanTotals SumValues(PlanOperator plan)
    {
        ScanTotals totals = default;
        plan.Open();
        for (Row? row = plan.Next(); row is not null; row = plan.Next())
            totals = totals.Add(row.GetDouble(0));
        return totals;
    }
}
