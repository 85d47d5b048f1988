using LiteDB;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>Reads through the shared, thread-safe LiteDB collection.</summary>
internal sealed class LiteDbReader(ILiteCollection<LiteDbRow> rows) : IBenchmarkReader
{
    public bool TryGet(long id, out BenchRow row)
    {
        LiteDbRow? document = rows.FindById(id);
        row = document is null ? default : document.ToRow();
        return document is not null;
    }

    public ScanTotals ScanAll() => Sum(rows.FindAll());

    public ScanTotals ScanRange(long fromInclusive, long toExclusive) =>
        Sum(rows.Find(Query.Between("_id", fromInclusive, toExclusive - 1)));

    public void Dispose()
    {
    }

    private static ScanTotals Sum(IEnumerable<LiteDbRow> documents)
    {
        ScanTotals totals = default;
        foreach (LiteDbRow document in documents)
        {
            totals = totals.Add(document.Value);
        }
        return totals;
    }
}
