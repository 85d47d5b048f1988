namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>Reads for one thread; every call is one read transaction, as the interface asks.</summary>
internal sealed class PageDbKvReader(PageDatabase database, string treeName) : IBenchmarkReader
{
    private readonly byte[] _key = new byte[PageDbRowCodec.KeyLength];
    private readonly byte[] _end = new byte[PageDbRowCodec.KeyLength];

    public bool TryGet(long id, out BenchRow row)
    {
        using ReadTransaction transaction = database.BeginRead();
        PageDbRowCodec.WriteKey(id, _key);
        byte[]? value = transaction.GetTree(treeName).Get(_key);
        row = value is null ? default : PageDbRowCodec.ReadRow(id, value);
        return value is not null;
    }

    public ScanTotals ScanAll()
    {
        using ReadTransaction transaction = database.BeginRead();
        using Cursor cursor = transaction.GetTree(treeName).OpenCursor();
        ScanTotals totals = default;
        for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
            totals = totals.Add(PageDbRowCodec.ReadValueColumn(cursor.Value));
        return totals;
    }

    public ScanTotals ScanRange(long fromInclusive, long toExclusive)
    {
        using ReadTransaction transaction = database.BeginRead();
        using Cursor cursor = transaction.GetTree(treeName).OpenCursor();
        PageDbRowCodec.WriteKey(fromInclusive, _key);
        PageDbRowCodec.WriteKey(toExclusive, _end);
        ScanTotals totals = default;
        for (bool more = cursor.Seek(_key); more && cursor.Key.SequenceCompareTo(_end) < 0; more = cursor.Next())
            totals = totals.Add(PageDbRowCodec.ReadValueColumn(cursor.Value));
        return totals;
    }

    public void Dispose()
    {
    }
}
