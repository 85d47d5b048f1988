namespace PageDb.Benchmarks.Workloads.Data;

/// <summary>
/// W1's rows (ids FirstId, FirstId+1, ... ascending), kept once per run because W1 and the database that W3..W8 read
/// both need them, with prefix sums so the expected totals of any id range cost O(1).
/// </summary>
public sealed class SequentialDataset
{
    private readonly double[] _prefixSums; // [i] = sum of the values of Rows[0..i); exact, see BenchRow

    /// <summary>Generates <paramref name="count"/> rows starting at <paramref name="firstId"/>.</summary>
    public SequentialDataset(DataGenerator generator, long firstId, int count)
    {
        FirstId = firstId;
        Rows = generator.SequentialRows(firstId, count);
        _prefixSums = new double[count + 1];
        for (int i = 0; i < count; i++)
        {
            _prefixSums[i + 1] = _prefixSums[i] + Rows[i].Value;
        }
    }

    /// <summary>The rows, in id order.</summary>
    public BenchRow[] Rows { get; }

    /// <summary>The smallest id.</summary>
    public long FirstId { get; }

    /// <summary>One past the largest id.</summary>
    public long EndId => FirstId + Rows.Length;

    /// <summary>Totals of the whole dataset.</summary>
    public ScanTotals Totals => new(Rows.Length, _prefixSums[^1]);

    /// <summary>The stored row with this id (which must be in the dataset).</summary>
    public ref readonly BenchRow RowOf(long id) => ref Rows[id - FirstId];

    /// <summary>Totals of the rows with ids in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>).</summary>
    public ScanTotals TotalsOfRange(long fromInclusive, long toExclusive)
    {
        int from = (int)(Math.Clamp(fromInclusive, FirstId, EndId) - FirstId);
        int to = (int)(Math.Clamp(toExclusive, FirstId, EndId) - FirstId);
        return to <= from ? default : new ScanTotals(to - from, _prefixSums[to] - _prefixSums[from]);
    }
}
