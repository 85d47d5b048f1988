using RocksDbSharp;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// Reads for one thread. A get reads the latest committed value; a scan's iterator reads the implicit snapshot taken
/// when it is created, so each call sees every write that returned before it.
/// </summary>
internal sealed class RocksDbReader(RocksDb database) : IBenchmarkReader
{
    private readonly ReadOptions _options = new();
    private readonly byte[] _key = new byte[PageDbRowCodec.KeyLength];
    private readonly byte[] _end = new byte[PageDbRowCodec.KeyLength];

    public bool TryGet(long id, out BenchRow row)
    {
        PageDbRowCodec.WriteKey(id, _key);
        byte[]? value = database.Get(_key.AsSpan(), cf: null, _options);
        row = value is null ? default : PageDbRowCodec.ReadRow(id, value);
        return value is not null;
    }

    public ScanTotals ScanAll()
    {
        using Iterator iterator = database.NewIterator(cf: null, _options);
        ScanTotals totals = default;
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            totals = totals.Add(PageDbRowCodec.ReadValueColumn(iterator.GetValueSpan()));
        return totals;
    }

    public ScanTotals ScanRange(long fromInclusive, long toExclusive)
    {
        PageDbRowCodec.WriteKey(fromInclusive, _key);
        PageDbRowCodec.WriteKey(toExclusive, _end);
        using Iterator iterator = database.NewIterator(cf: null, _options);
        ScanTotals totals = default;
        for (iterator.Seek(_key); iterator.Valid() && iterator.GetKeySpan().SequenceCompareTo(_end) < 0; iterator.Next())
            totals = totals.Add(PageDbRowCodec.ReadValueColumn(iterator.GetValueSpan()));
        return totals;
    }

    public void Dispose()
    {
    }
}
