using System.Collections;
using System.Diagnostics.CodeAnalysis;
using PageDb.Sql.Binding;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// The hash side of a join: the rows of one FROM item (the build side, read once per run of the core) in a hash table
/// on its <see cref="JoinKey"/>s, probed with the values of the row joined so far, which streams past it. A probe
/// gives exactly the build rows whose keys equal the probe's under the join's comparison (<see cref="JoinKey"/>); a
/// NULL key matches nothing, on either side. Rows with equal keys come in the order they were read, so a probe gives
/// its matches in the order a nested loop over the same rows would.
/// <para>
/// An item that a key read can also give per joined row (a join lookup, <see cref="TableAccess.PerJoinedRow"/>) starts
/// with lookups and builds the table only once it has made as many lookups as the table has rows (<see cref="Probe"/>
/// returns null until then): a few outer rows cost a few lookups, and many cost at most twice what the cheaper of the
/// two ways would, whatever the row counts or statistics say, which a prepared plan cannot know when it is compiled.
/// </para>
/// One instance serves one run of the core, probed by one join level at a time: the matches it returns are an
/// enumerator reused by every probe, valid until the next.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The reused matches are an enumerator only to be enumerated without allocating; they hold no resource.")]
internal sealed class HashJoin(JoinSource source, JoinKey[] keys, int offset, int rowWidth)
{
    private readonly SqlValue[] _probe = new SqlValue[keys.Length];
    private readonly Matches _matches = new();
    private Dictionary<SqlValue[], int>? _first;
    private int[]? _next;
    private List<SqlValue[]>? _rows;
    private long _lookupsLeft = -1;

    /// <summary>The FROM item whose rows the table holds.</summary>
    public JoinSource Source => source;

    /// <summary>
    /// The build rows whose keys equal the row of <paramref name="frame"/>'s, building the table from
    /// <paramref name="rows"/> (null: every row of the item) on the first call that needs it; null while a join lookup
    /// is still the cheaper way (the caller then reads the item by its key).
    /// </summary>
    public IEnumerable<SqlValue[]>? Probe(Frame frame, List<SqlValue[]>? rows)
    {
        if (_first is null)
        {
            if (rows is null && LookupFirst(frame))
                return null;
            Build(rows ?? source.Rows(frame.Outer, frame.Context), frame);
        }
        for (int i = 0; i < keys.Length; i++)
        {
            SqlValue value = keys[i].ProbeKey.Evaluate(frame);
            if (value.IsNull)
                return _matches.Reset(_rows!, _next!, -1);
            _probe[i] = value.WithAffinity(keys[i].ProbeConversion);
        }
        return _matches.Reset(_rows!, _next!, _first!.TryGetValue(_probe, out int first) ? first : -1);
    }

    /// <summary>How EXPLAIN shows the join's keys.</summary>
    public static string Describe(JoinKey[] keys) => $"HASH TABLE ON {keys.Length} key{(keys.Length == 1 ? "" : "s")}";

    /// <summary>
    /// True for a join lookup the hash table may replace: one key column fixed by one value, the join's, and no range,
    /// so the table's rows and the hashed equality accept what the lookup finds, whatever else the plan checks. A
    /// lookup by more (a composite key, a range) may be all that checks a condition on those columns, and stays.
    /// </summary>
    public static bool CanReplace(TableAccess? access) =>
        access is { PerJoinedRow: true, Equal: [[_]], Low: null, High: null };

    /// <summary>True while the item's key read is cheaper (fewer lookups made than the table has rows), or must be used.</summary>
    private bool LookupFirst(Frame frame)
    {
        if (!CanReplace(source.Access))
            return true;
        if (_lookupsLeft < 0)
            _lookupsLeft = source.Schema is { } table ? frame.Context.Current(table).Count : 0;
        return _lookupsLeft-- > 0;
    }

    /// <summary>
    /// Hashes <paramref name="rows"/> by their keys, evaluated on a scratch row that holds each row at the item's place,
    /// chaining rows of equal keys in their order (built from the last row back, each put before the one after it).
    /// </summary>
    private void Build(List<SqlValue[]> rows, Frame frame)
    {
        var scratch = new Frame(frame.Context, new SqlValue[rowWidth], frame.Outer);
        var first = new Dictionary<SqlValue[], int>(RowComparer.Instance);
        var next = new int[rows.Count];
        SqlValue[] key = new SqlValue[keys.Length];
        for (int row = rows.Count - 1; row >= 0; row--)
        {
            Array.Copy(rows[row], 0, scratch.Row, offset, source.Width);
            next[row] = -1;
            if (!KeyOf(scratch, key))
                continue;
            if (first.TryGetValue(key, out int after))
            {
                next[row] = after;
                first[key] = row;
                continue;
            }
            first.Add(key, row);
            key = new SqlValue[keys.Length];
        }
        (_first, _next, _rows) = (first, next, rows);
    }

    /// <summary>Fills <paramref name="key"/> with the build keys of the scratch row, converted; false when one is NULL.</summary>
    private bool KeyOf(Frame scratch, SqlValue[] key)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            SqlValue value = keys[i].BuildKey.Evaluate(scratch);
            if (value.IsNull)
                return false;
            key[i] = value.WithAffinity(keys[i].BuildConversion);
        }
        return true;
    }

    /// <summary>The rows of one chain, enumerated in place: one instance, reset by every probe.</summary>
    private sealed class Matches : IEnumerable<SqlValue[]>, IEnumerator<SqlValue[]>
    {
        private List<SqlValue[]> _rows = [];
        private int[] _next = [];
        private int _head;
        private int _at;

        public SqlValue[] Current => _rows[_at];

        object IEnumerator.Current => Current;

        public Matches Reset(List<SqlValue[]> rows, int[] next, int head)
        {
            (_rows, _next, _head, _at) = (rows, next, head, -2);
            return this;
        }

        public IEnumerator<SqlValue[]> GetEnumerator() => this;

        IEnumerator IEnumerable.GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_at == -1)
                return false;
            _at = _at == -2 ? _head : _next[_at];
            return _at >= 0;
        }

        void IEnumerator.Reset() => _at = -2;

        public void Dispose()
        {
        }
    }
}
