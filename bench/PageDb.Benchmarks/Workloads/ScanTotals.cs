namespace PageDb.Benchmarks.Workloads;

/// <summary>What a scan saw: how many rows, and the sum of their <see cref="BenchRow.Value"/>s.</summary>
public readonly record struct ScanTotals(long Count, double SumOfValues)
{
    /// <summary>The totals of two disjoint sets of rows together.</summary>
    public static ScanTotals operator +(ScanTotals left, ScanTotals right) =>
        new(left.Count + right.Count, left.SumOfValues + right.SumOfValues);

    /// <summary>The totals of the given rows.</summary>
    public static ScanTotals Of(ReadOnlySpan<BenchRow> rows)
    {
        double sum = 0;
        foreach (ref readonly BenchRow row in rows)
        {
            sum += row.Value;
        }
        return new ScanTotals(rows.Length, sum);
    }

    /// <summary>Adds one row to running totals.</summary>
    public ScanTotals Add(double value) => new(Count + 1, SumOfValues + value);
}
