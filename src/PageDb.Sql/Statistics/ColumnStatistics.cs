using PageDb.Sql.Values;

namespace PageDb.Sql.Statistics;

/// <summary>One bucket of an equi-depth histogram: about the same number of rows in each, between two stored values.</summary>
internal sealed record HistogramBucket(long Rows, long Distinct, SqlValue Low, SqlValue High);

/// <summary>
/// What ANALYZE learned about one column: its table's row count, the distinct non-NULL values (counted exactly while
/// the rows are read), the NULLs, the least and greatest values, and an equi-depth histogram of the non-NULL values.
/// The planner estimates from them how many rows a condition on the column keeps.
/// </summary>
internal sealed record ColumnStatistics(
    string Column, long Rows, long Distinct, long Nulls, SqlValue Min, SqlValue Max, IReadOnlyList<HistogramBucket> Histogram)
{
    /// <summary>How many buckets ANALYZE makes at most.</summary>
    public const int MaxBuckets = 8;

    /// <summary>The statistics of the column at <paramref name="ordinal"/> of <paramref name="rows"/>.</summary>
    public static ColumnStatistics Collect(string column, List<SqlValue[]> rows, int ordinal)
    {
        var values = new List<SqlValue>(rows.Count);
        foreach (SqlValue[] row in rows)
        {
            if (!row[ordinal].IsNull)
                values.Add(row[ordinal]);
        }
        values.Sort(SqlValue.Compare);
        long distinct = CountDistinct(values, 0, values.Count);
        return values.Count == 0
            ? new ColumnStatistics(column, rows.Count, 0, rows.Count, SqlValue.Null, SqlValue.Null, [])
            : new ColumnStatistics(column, rows.Count, distinct, rows.Count - values.Count, values[0], values[^1], Buckets(values));
    }

    /// <summary>
    /// These statistics carried over to the table as it is now, holding <paramref name="rows"/> rows (its live count,
    /// kept by the tree), without a new ANALYZE: the shape stays (the share of NULLs, each bucket's share of the rows,
    /// the bounds) and the counts scale with the rows. The distinct values scale too when the column was nearly
    /// unique (a key's values grow with its table) and stay otherwise (a category keeps its values); never more than
    /// the non-NULL rows. Not meaningful when ANALYZE saw no rows (see <see cref="Binding.SqlCatalog.Statistics"/>).
    /// </summary>
    public ColumnStatistics ScaledTo(long rows)
    {
        if (rows == Rows || Rows == 0)
            return this;
        double factor = (double)rows / Rows;
        long nulls = Math.Min(rows, (long)Math.Round(Nulls * factor));
        return this with
        {
            Rows = rows,
            Distinct = ScaledDistinct(Distinct, Rows - Nulls, factor, rows - nulls),
            Nulls = nulls,
            Histogram = [.. Histogram.Select(b => b with
            {
                Rows = (long)Math.Round(b.Rows * factor),
                Distinct = ScaledDistinct(b.Distinct, b.Rows, factor, (long)Math.Round(b.Rows * factor)),
            })],
        };
    }

    /// <summary>The rows estimated to have one of <paramref name="candidates"/> values in this column.</summary>
    public double EqualRows(int candidates) =>
        Distinct == 0 ? 0 : Math.Min(Rows - Nulls, (double)(Rows - Nulls) / Distinct * candidates);

    /// <summary>
    /// The rows estimated to lie between <paramref name="low"/> and <paramref name="high"/> (either unknown or
    /// unbounded when null): the rows of every bucket the range touches, or a quarter of the rows per known end.
    /// </summary>
    public double RangeRows(SqlValue? low, SqlValue? high, bool lowGiven, bool highGiven)
    {
        if ((lowGiven && low is null) || (highGiven && high is null) || Histogram.Count == 0)
            return (Rows - Nulls) * (lowGiven ? 0.25 : 1) * (highGiven ? 0.25 : 1);
        long rows = 0;
        foreach (HistogramBucket bucket in Histogram)
        {
            bool above = low is { } l && SqlValue.Compare(bucket.High, l) < 0;
            bool below = high is { } h && SqlValue.Compare(bucket.Low, h) > 0;
            if (!above && !below)
                rows += bucket.Rows;
        }
        return rows;
    }

    /// <summary>
    /// <paramref name="distinct"/> values among <paramref name="values"/> non-NULL ones, after their rows grew by
    /// <paramref name="factor"/> to <paramref name="valuesNow"/>: in proportion when at least 90% were distinct.
    /// </summary>
    private static long ScaledDistinct(long distinct, long values, double factor, long valuesNow)
    {
        long scaled = distinct * 10 >= values * 9 ? (long)Math.Round(distinct * factor) : distinct;
        return Math.Clamp(scaled, Math.Min(1, valuesNow), Math.Max(0, valuesNow));
    }

    private static List<HistogramBucket> Buckets(List<SqlValue> sorted)
    {
        int count = Math.Min(MaxBuckets, sorted.Count);
        var buckets = new List<HistogramBucket>(count);
        for (int i = 0; i < count; i++)
        {
            int start = (int)((long)sorted.Count * i / count), end = (int)((long)sorted.Count * (i + 1) / count);
            buckets.Add(new HistogramBucket(end - start, CountDistinct(sorted, start, end), sorted[start], sorted[end - 1]));
        }
        return buckets;
    }

    private static long CountDistinct(List<SqlValue> sorted, int start, int end)
    {
        long distinct = 0;
        for (int i = start; i < end; i++)
        {
            if (i == start || SqlValue.Compare(sorted[i - 1], sorted[i]) != 0)
                distinct++;
        }
        return distinct;
    }
}
