using LightningDB;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// Reads for one thread through one read-only transaction that is renewed at the start of every call (a fresh
/// snapshot) and reset at its end, as LMDB's documentation advises for frequent short reads.
/// </summary>
internal sealed class LmdbReader : IBenchmarkReader
{
    private readonly LightningDatabase _database;
    private readonly LightningTransaction _transaction;
    private readonly byte[] _key = new byte[PageDbRowCodec.KeyLength];
    private readonly byte[] _end = new byte[PageDbRowCodec.KeyLength];

    public LmdbReader(LightningEnvironment environment, LightningDatabase database)
    {
        _database = database;
        _transaction = environment.BeginTransaction(TransactionBeginFlags.ReadOnly);
        _transaction.Reset();
    }

    public bool TryGet(long id, out BenchRow row)
    {
        using ReadSnapshot snapshot = Renew();
        PageDbRowCodec.WriteKey(id, _key);
        (MDBResultCode code, _, MDBValue value) = _transaction.Get(_database, _key).ThrowOnReadError();
        bool found = code == MDBResultCode.Success;
        row = found ? PageDbRowCodec.ReadRow(id, value.AsSpan()) : default;
        return found;
    }

    public ScanTotals ScanAll()
    {
        using ReadSnapshot snapshot = Renew();
        using LightningCursor cursor = _transaction.CreateCursor(_database);
        ScanTotals totals = default;
        for ((MDBResultCode code, _, MDBValue value) = cursor.First(); code == MDBResultCode.Success; (code, _, value) = cursor.Next())
            totals = totals.Add(PageDbRowCodec.ReadValueColumn(value.AsSpan()));
        return totals;
    }

    public ScanTotals ScanRange(long fromInclusive, long toExclusive)
    {
        using ReadSnapshot snapshot = Renew();
        using LightningCursor cursor = _transaction.CreateCursor(_database);
        PageDbRowCodec.WriteKey(fromInclusive, _key);
        PageDbRowCodec.WriteKey(toExclusive, _end);
        ScanTotals totals = default;
        if (cursor.SetRange(_key) != MDBResultCode.Success)
            return totals;
        for ((MDBResultCode code, MDBValue key, MDBValue value) = cursor.GetCurrent();
             code == MDBResultCode.Success && key.AsSpan().SequenceCompareTo(_end) < 0;
             (code, key, value) = cursor.Next())
        {
            totals = totals.Add(PageDbRowCodec.ReadValueColumn(value.AsSpan()));
        }
        return totals;
    }

    public void Dispose() => _transaction.Dispose();

    /// <summary>Renews the transaction on the latest commit; disposing the result resets it.</summary>
    private ReadSnapshot Renew()
    {
        _transaction.Renew().ThrowOnError();
        return new ReadSnapshot(_transaction);
    }

    /// <summary>Resets the reader's transaction on Dispose, so an idle reader pins no old snapshot.</summary>
    private readonly struct ReadSnapshot(LightningTransaction transaction) : IDisposable
    {
        public void Dispose() => transaction.Reset();
    }
}
