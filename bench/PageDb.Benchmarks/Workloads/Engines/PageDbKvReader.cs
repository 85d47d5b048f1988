namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>Reads for one thread; every call is one read transaction, as the interface asks.</summary>
internal sealed class PageDbKvReader(PageDatabase database, string treeName) : IBenchmarkReader
{
    private readonly byte[] _key = new byte[PageDbRowCodec.KeyLength];
    private readonly byte[] _end = new byte[PageDbRowCodec.KeyLength];

    /// <summary>Decodes the row straight from the page through <see cref="Tree.TryRead{TState}"/>: the value is not copied out first.</summary>
    public bool TryGet(long id, out BenchRow row)
    {
        using ReadTransaction transaction = database.BeginRead();
        PageDbRowCodec.WriteKey(id, _key);
        row = default;
        return transaction.GetTree(treeName).TryRead(_key, new Found(id, ref row),
            static (value, found) => found.Row = PageDbRowCodec.ReadRow(found.Id, value));
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

    /// <summary>Where <see cref="TryGet"/>'s callback leaves the row it decoded.</summary>
    private readonly ref struct Found
    {
        public readonly long Id;
        public readonly ref BenchRow Row;

        public Found(long id, ref BenchRow row)
        {
            Id = id;
            Row = ref row;
        }
    }
}
