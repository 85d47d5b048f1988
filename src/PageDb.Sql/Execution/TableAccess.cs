using PageDb.Execution;
using PageDb.Records;
using PageDb.Sql.Binding;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>One end of a key range: a value that does not depend on the query's own tables, and whether it is included.</summary>
internal readonly record struct RangeBound(Evaluator Value, bool Inclusive);

/// <summary>
/// Reads a FROM table through its primary key or one of its secondary indexes instead of scanning it: the key's
/// first columns are fixed by <c>=</c> or <c>IN</c> (<see cref="Equal"/>, one list of candidate values per column) and
/// the next one may be limited by a range. The conditions stay in the plan and are checked on the rows read, so the
/// read only has to find every row the conditions could accept, except those the planner found the read guarantees
/// exactly (<see cref="GuaranteesConditions"/>). Each value is converted to its column's type as the comparison would
/// convert it; when one cannot be converted exactly (text that is not a number for an integer key, 2.5 for an integer
/// key's range), the table is scanned after all, keeping the rows the key's own conditions accept.
/// A read of the primary key in its order streams its rows (<see cref="TryRead"/>); one made without any condition,
/// <see cref="WholeTable"/>, reads the whole table so.
/// </summary>
internal sealed class TableAccess(TableSchema schema, string? index, Column[] keyColumns, Evaluator[][] equal, RangeBound? low, RangeBound? high, bool perJoinedRow = false)
{
    private readonly int[] _primaryKey = [.. schema.PrimaryKey.Select(schema.IndexOf)];
    private int[]? _orderColumns;
    // The columns the read decodes (null: all), by name for the scan and by position in the row it produces.
    private List<string>? _readNames;
    private int[]? _readOrdinals;
    // The same without the key columns no expression reads, for a primary-key read of a snapshot (see Stream).
    private List<string>? _snapshotNames;
    private int[]? _snapshotOrdinals;
    private bool _indexOrder;
    private bool _descending;
    // Where the result columns of the query this read serves are among a snapshot scan's decoded columns (see
    // Positions): worked out on its first TryProject, since a read serves one FROM item of one query.
    private ProjectedPositions? _projected;

    /// <summary>True for a join lookup: a fixed column's value reads items joined before, so the read is made per joined row.</summary>
    public bool PerJoinedRow { get; } = perJoinedRow;

    /// <summary>The secondary index read, or null for the primary key.</summary>
    public string? Index { get; } = index;

    /// <summary>The candidate values of each fixed key column.</summary>
    public Evaluator[][] Equal { get; } = equal;

    /// <summary>The low end of the range on the key column after the fixed ones.</summary>
    public RangeBound? Low { get; } = low;

    /// <summary>The high end of the range on the key column after the fixed ones.</summary>
    public RangeBound? High { get; } = high;

    /// <summary>True when the read was told to serve an ORDER BY in an order it must keep itself (<see cref="KeepOrder"/>).</summary>
    public bool KeepsOrder => _orderColumns is not null;

    /// <summary>True for a read of a whole key (no column fixed or bounded), made only to serve ORDER BY.</summary>
    public bool IsFullIndex => Equal.Length == 0 && Low is null && High is null;

    /// <summary>
    /// True when the plan dropped the conditions this read's key values come from, since a read whose values fit the
    /// key returns exactly the rows they accept; a read whose value does not fit then checks them itself on the
    /// scanned rows (<see cref="InReadOrder"/>).
    /// </summary>
    public bool GuaranteesConditions { get; set; }

    /// <summary>A read of every row of the table <paramref name="schema"/> describes in scan order, for a scanned table whose rows stream.</summary>
    public static TableAccess WholeTable(TableSchema schema) =>
        new(schema, null, [.. schema.PrimaryKey.Select(n => schema.Columns[schema.IndexOf(n)])], [], null, null);

    /// <summary>
    /// Makes the read serve an ORDER BY on table columns <paramref name="orderColumns"/> (ordinals): in the index's
    /// own order when they are its columns from <paramref name="start"/> on (<paramref name="indexOrder"/>), else in
    /// scan order, which starts with them; reversed for <paramref name="descending"/>, rows the terms leave tied
    /// keeping their order, as a stable sort leaves them. False, changing nothing, when start is -1, or for an index
    /// order on the primary key read.
    /// </summary>
    public bool KeepOrder(int start, int[] orderColumns, bool indexOrder, bool descending)
    {
        if (start < 0 || (indexOrder && Index is null))
            return false;
        _orderColumns = orderColumns;
        _indexOrder = indexOrder;
        _descending = descending;
        return true;
    }

    /// <summary>
    /// Makes the read decode only the columns <paramref name="read"/> marks (by ordinal), the primary key's and, for a
    /// table without a key, the row id; the other columns of its rows are NULL. Nothing changes when every column is read.
    /// A read of the primary key in a read-only snapshot decodes the key only where <paramref name="read"/> marks it:
    /// the key seeks again after a change, and nothing changes a snapshot.
    /// </summary>
    public void ReadOnly(bool[] read)
    {
        (_readNames, _readOrdinals) = Decoded(read, withKey: true);
        (_snapshotNames, _snapshotOrdinals) = Decoded(read, withKey: false);
    }

    /// <summary>The columns <paramref name="read"/> marks, with the key's (or the row id) for <paramref name="withKey"/>, by name and ordinal; nulls for all.</summary>
    private (List<string>?, int[]?) Decoded(bool[] read, bool withKey)
    {
        var ordinals = new List<int>();
        for (int i = 0; i < read.Length; i++)
        {
            if (read[i] || (withKey && _primaryKey.Contains(i)))
                ordinals.Add(i);
        }
        if (ordinals.Count == read.Length)
            return (null, null);
        List<string> names = [.. ordinals.Select(i => schema.Columns[i].Name)];
        if (withKey && schema.HasRowId)
        {
            ordinals.Add(read.Length);
            names.Add(TableSchema.RowIdColumn);
        }
        return (names, [.. ordinals]);
    }

    /// <summary>How EXPLAIN shows the order the read gives, when it serves ORDER BY.</summary>
    public string DescribeOrder() =>
        $"ORDER BY {(_indexOrder ? $"INDEX {Index}" : "PRIMARY KEY")}{(_descending ? " DESC" : "")} (no sort)";

    /// <summary>
    /// The rows of a scan that replaced the read (a value did not fit the key), in the order the read would have given:
    /// sorted stably by the ORDER BY columns when the read keeps index order, reversed when it is descending. When the
    /// read <see cref="GuaranteesConditions"/>, only the rows its key's conditions accept, as the read would have given.
    /// </summary>
    public List<SqlValue[]> InReadOrder(List<SqlValue[]> scanned, Frame frame)
    {
        if (GuaranteesConditions)
            scanned = scanned.FindAll(KeyConditions(frame));
        if (_orderColumns is null)
            return scanned;
        List<SqlValue[]> rows = _indexOrder ? [.. scanned.OrderBy(r => r, Comparer<SqlValue[]>.Create(CompareOrderColumns))] : scanned;
        if (_descending)
            ReverseKeepingTies(rows);
        return rows;
    }

    /// <summary>How EXPLAIN shows the access: the key read and how it constrains its columns, e.g. <c>USING INDEX ix (a=? AND ? &lt; b)</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        for (int i = 0; i < Equal.Length; i++)
            parts.Add(Equal[i].Length == 1 ? $"{keyColumns[i].Name}=?" : $"{keyColumns[i].Name} IN ({Equal[i].Length} values)");
        if (Low is not null || High is not null)
        {
            string column = keyColumns[Equal.Length].Name;
            string lowText = Low is { } l ? (l.Inclusive ? "? <= " : "? < ") : "";
            string highText = High is { } h ? (h.Inclusive ? " <= ?" : " < ?") : "";
            parts.Add(lowText + column + highText);
        }
        string key = Index is null ? "PRIMARY KEY" : $"INDEX {Index}";
        return parts.Count == 0 ? $"USING {key}" : $"USING {key} ({string.Join(" AND ", parts)})";
    }

    /// <summary>
    /// The rows the access finds, in the table's scan order; null when the table must be scanned instead. A join
    /// lookup's values read <paramref name="frame"/>'s row, the row of the items joined so far. The values are evaluated now;
    /// a read of the primary key in its own order streams its rows as they are enumerated (see <see cref="Stream"/>),
    /// others read them all first.
    /// With <paramref name="into"/> a streamed read produces every row in that array (one longer than the table's
    /// columns: a table without a primary key reads its row id last), overwritten by the next; without, a new array each.
    /// </summary>
    public IEnumerable<SqlValue[]>? TryRead(Frame frame, SqlValue[]? into)
    {
        ExecutionContext context = frame.Context;
        if (IsPointRead)
            return TryReadPoint(frame, context);
        List<object?[]>? prefixes = Prefixes(frame);
        (BoundState lowState, object? lowValue) = Evaluate(Low, frame);
        (BoundState highState, object? highValue) = Evaluate(High, frame);
        if (prefixes is null || lowState == BoundState.Unfit || highState == BoundState.Unfit)
            return null;
        if (lowState == BoundState.Null || highState == BoundState.Null)
            return [];
        Table current = context.Current(schema);
        if (Index is null && !_descending)
            return Stream(context.Transaction, current, prefixes, lowValue, highValue, into);
        var rows = new List<SqlValue[]>();
        foreach (object?[] prefix in prefixes)
            rows.AddRange(Stream(context.Transaction, current, [prefix], lowValue, highValue, into: null));
        if (Index is not null && !_indexOrder)
            rows.Sort(ScanOrder);
        if (_descending)
            ReverseKeepingTies(rows);
        return Index is not null && schema.HasRowId ? rows.ConvertAll(r => r[..^1]) : rows;
    }

    /// <summary>True for a read of one row by the whole primary key, each column fixed to one value.</summary>
    private bool IsPointRead =>
        Index is null && Equal.Length > 0 && Low is null && High is null && Equal.Length == keyColumns.Length && Array.TrueForAll(Equal, e => e.Length == 1);

    /// <summary>True for a point read by a primary key of one integer column (a table with a key, so no row id).</summary>
    private bool IsIntegerKeyPoint => IsPointRead && Equal.Length == 1 && keyColumns[0].Type == ColumnType.Int64 && !schema.HasRowId;

    /// <summary>The row whose primary key the fixed values give (none when one is NULL); null when one does not fit the key.</summary>
    private SqlValue[][]? TryReadPoint(Frame frame, ExecutionContext context)
    {
        if (IsIntegerKeyPoint)
        {
            return LoadIntegerKeyPoint(frame) switch
            {
                null => null,
                true => [FromWholeRow(t_lookup!)],
                false => [],
            };
        }
        var key = new object?[Equal.Length];
        for (int i = 0; i < key.Length; i++)
        {
            SqlValue value = Equal[i][0](frame);
            if (value.IsNull)
                return [];
            if (ToKey(value, keyColumns[i], forRange: false) is not { } fitted)
                return null;
            key[i] = ToStored(fitted);
        }
        return context.Current(schema).Get(Row.Of(key)) is { } row ? [FromWholeRow(row)] : [];
    }

    // The buffer a point read loads its row into before converting it: used and done with inside one call.
    [ThreadStatic]
    private static RowBuffer? t_lookup;

    /// <summary>Reverses rows ordered by the ORDER BY columns, leaving each run of rows they tie in its order.</summary>
    private void ReverseKeepingTies(List<SqlValue[]> rows)
    {
        rows.Reverse();
        int start = 0;
        for (int i = 1; i <= rows.Count; i++)
        {
            if (i < rows.Count && CompareOrderColumns(rows[start], rows[i]) == 0)
                continue;
            rows.Reverse(start, i - start);
            start = i;
        }
    }

    private int CompareOrderColumns(SqlValue[] x, SqlValue[] y)
    {
        foreach (int column in _orderColumns!)
        {
            int order = SqlValue.Compare(x[column], y[column]);
            if (order != 0)
                return order;
        }
        return 0;
    }

    /// <summary>What a range bound evaluated to: a key value, NULL (no row compares with it), or a value no key equals.</summary>
    private enum BoundState { Open, Fits, Null, Unfit }

    /// <summary>Every combination of the fixed columns' values in key order; null when a value does not fit.</summary>
    private List<object?[]>? Prefixes(Frame frame)
    {
        List<object?[]> prefixes = [[]];
        for (int i = 0; i < Equal.Length; i++)
        {
            var values = new SortedSet<SqlValue>(Comparer<SqlValue>.Create(SqlValue.Compare));
            foreach (Evaluator candidate in Equal[i])
            {
                SqlValue value = candidate(frame);
                if (value.IsNull)
                    continue;
                if (ToKey(value, keyColumns[i], forRange: false) is not { } key)
                    return null;
                values.Add(key);
            }
            var next = new List<object?[]>(prefixes.Count * values.Count);
            foreach (object?[] prefix in prefixes)
            {
                foreach (SqlValue value in values)
                    next.Add([.. prefix, ToStored(value)]);
            }
            prefixes = next;
        }
        return prefixes;
    }

    private (BoundState, object?) Evaluate(RangeBound? bound, Frame frame)
    {
        (BoundState state, SqlValue key) = EvaluateKey(bound, frame);
        return (state, state == BoundState.Fits ? ToStored(key) : null);
    }

    /// <summary>What a range bound evaluates to, with the key value when it fits.</summary>
    private (BoundState, SqlValue) EvaluateKey(RangeBound? bound, Frame frame)
    {
        if (bound is not { } end)
            return (BoundState.Open, SqlValue.Null);
        SqlValue value = end.Value(frame);
        if (value.IsNull)
            return (BoundState.Null, SqlValue.Null);
        return ToKey(value, keyColumns[Equal.Length], forRange: true) is { } key ? (BoundState.Fits, key) : (BoundState.Unfit, SqlValue.Null);
    }

    /// <summary>The one-column key row of a range bound that fits, or null for an open end (no boxing).</summary>
    private static Row? KeyRow(BoundState state, SqlValue key) => state == BoundState.Fits ? new Row([ToStoredValue(key)]) : null;

    /// <summary>
    /// The value as the comparison with <paramref name="column"/> converts it, when a key of the column's type equals
    /// it exactly; else null. Text bounds of a range must be well-formed UTF-16: the key stores a lone surrogate as
    /// U+FFFD, which the comparison orders elsewhere.
    /// </summary>
    private static SqlValue? ToKey(SqlValue value, Column column, bool forRange)
    {
        switch (column.Type)
        {
            case ColumnType.Int64:
                SqlValue integer = value.WithAffinity(Affinity.Numeric);
                return integer.Kind == SqlValueKind.Integer ? integer : null;
            case ColumnType.Double:
                SqlValue number = value.WithAffinity(Affinity.Numeric);
                if (number.Kind == SqlValueKind.Real)
                    return number;
                return number.Kind == SqlValueKind.Integer && IsExactDouble(number.Integer) ? SqlValue.FromReal(number.Integer) : null;
            case ColumnType.String:
                SqlValue text = value.WithAffinity(Affinity.Text);
                return text.Kind == SqlValueKind.Text && (!forRange || IsWellFormed(text.Text)) ? text : null;
            default:
                return null;
        }
    }

    private static bool IsExactDouble(long value)
    {
        double real = value;
        return real >= -9.2e18 && real <= 9.2e18 && (long)real == value;
    }

    private static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
                continue;
            if (!char.IsSurrogatePair(text, i))
                return false;
            i++;
        }
        return true;
    }

    private static object ToStored(SqlValue key) => ToStoredValue(key).ToObject()!;

    private static Value ToStoredValue(SqlValue key) => key.Kind switch
    {
        SqlValueKind.Integer => Value.FromInt64(key.Integer),
        SqlValueKind.Real => Value.FromDouble(key.Real),
        _ => Value.FromString(key.Text),
    };

    /// <summary>
    /// The rows of each prefix's key range in turn (in key order, as the prefixes are), read as they are enumerated;
    /// <paramref name="into"/> takes them all, each overwriting the last. A write transaction may change
    /// the table between two rows (a reader of the transaction stays open while the same transaction writes), which
    /// moves the tree under the scan: the read then seeks again past the primary key (or row id) of the row it gave
    /// last, so it goes on in key order and sees the rows as they are now. A statement that writes a table reads all
    /// it needs first (<see cref="StatementRunner"/>), so this never reads its own changes.
    /// </summary>
    private IEnumerable<SqlValue[]> Stream(ReadTransaction transaction, Table current, List<object?[]> prefixes, object? low, object? high, SqlValue[]? into)
    {
        (List<string>? columns, int[]? ordinals) = Decoding(transaction);
        // The stored values of each row, decoded again and again into one buffer.
        var stored = new Value[columns?.Count ?? RowWidth];
        foreach (object?[] prefix in prefixes)
        {
            if (Index is null && low is null && high is null && prefix.Length > 0 && prefix.Length == keyColumns.Length)
            {
                if (current.Get(Row.Of(prefix)) is { } found)
                    yield return FromWholeRow(found);
                continue;
            }
            Row? from = low is null ? (prefix.Length == 0 ? null : Row.Of(prefix)) : Row.Of([.. prefix, low]);
            Row? to = high is null ? (prefix.Length == 0 ? null : Row.Of(prefix)) : Row.Of([.. prefix, high]);
            bool fromInclusive = Low?.Inclusive ?? true;
            while (true)
            {
                using IndexScan scan = current.IndexScan(Index, from, to, fromInclusive, High?.Inclusive ?? true, columns);
                long changes = transaction.ChangeCount;
                SqlValue[]? last = null;
                scan.Open();
                while (scan.NextInto(stored))
                {
                    last = FromReadColumns(stored, ordinals, into ?? new SqlValue[RowWidth]);
                    yield return last;
                    if (transaction.ChangeCount != changes)
                        break;
                }
                if (last is null || transaction.ChangeCount == changes)
                    break;
                (from, fromInclusive) = (KeyOf(last), false);
            }
        }
    }

    /// <summary>
    /// The columns a scan of the read in <paramref name="transaction"/> decodes, by name (null: every column of the
    /// scan) and by their place in the rows it produces (null: in order). A primary-key read of a snapshot leaves out
    /// the key columns no expression reads (see <see cref="ReadOnly"/>): only a write transaction changes the table
    /// under the read, so only its read needs each row's key to seek again (see <see cref="Stream"/>). The one place
    /// that rule is kept, for <see cref="Stream"/> and <see cref="TryProject"/> alike.
    /// </summary>
    private (List<string>? Columns, int[]? Ordinals) Decoding(ReadTransaction transaction)
    {
        bool snapshot = Index is null && transaction is not WriteTransaction;
        List<string>? columns = (snapshot ? _snapshotNames : _readNames) ?? (schema.HasRowId
            ? [.. schema.Columns.Select(c => c.Name), TableSchema.RowIdColumn]
            : null);
        return (columns, snapshot ? _snapshotOrdinals : _readOrdinals);
    }

    /// <summary>
    /// The rows of a streamed read of the primary key in a snapshot (no key column fixed, ascending, the whole table or
    /// one key range), given as the result columns <paramref name="outputs"/> (the table's ordinals) only, straight from
    /// the scan (<see cref="ProjectedScan"/>), for a query that checks no condition on them and is done with each row
    /// before it asks for the next. The bounds are evaluated now. Null when the read is of another kind, an output is
    /// not a decoded column, or a bound does not fit the key: the caller then reads as <see cref="TryRead"/> does.
    /// A point read by a one-column integer key in a snapshot reads its row now instead (<see cref="TryProjectPoint"/>):
    /// in a snapshot, now and the first <c>Read</c> see the same row; a write transaction may change it in between.
    /// Only top-level queries come here (<see cref="CoreQuery.Values"/>).
    /// </summary>
    public IEnumerable<SqlValue[]>? TryProject(Frame frame, int[] outputs)
    {
        ExecutionContext context = frame.Context;
        if (PerJoinedRow || context.Transaction is WriteTransaction)
            return null;
        if (IsIntegerKeyPoint)
            return TryProjectPoint(frame, outputs);
        if (Index is not null || _descending || Equal.Length > 0)
            return null;
        (List<string>? columns, int[]? ordinals) = Decoding(context.Transaction);
        if (Positions(outputs, ordinals) is not { } positions)
            return null;
        (BoundState lowState, SqlValue low) = EvaluateKey(Low, frame);
        (BoundState highState, SqlValue high) = EvaluateKey(High, frame);
        if (lowState == BoundState.Unfit || highState == BoundState.Unfit)
            return null;
        if (lowState == BoundState.Null || highState == BoundState.Null)
            return [];
        IndexScan scan = context.Current(schema).IndexScan(null, KeyRow(lowState, low), KeyRow(highState, high), Low?.Inclusive ?? true, High?.Inclusive ?? true, columns);
        return new ProjectedScan(scan, columns?.Count ?? RowWidth, positions);
    }

    /// <summary>
    /// The row of a point read by a one-column integer primary key (<see cref="IsIntegerKeyPoint"/>) in a snapshot, read
    /// now, as <see cref="TryReadPoint"/> reads it, with only the result columns <paramref name="outputs"/>
    /// (the table's ordinals) converted, into the context's <see cref="PointRow"/>: none when the key value is NULL or
    /// no row has it; null, for the caller's general read, when the value does not fit the key.
    /// </summary>
    private PointRow? TryProjectPoint(Frame frame, int[] outputs)
    {
        PointRow point = frame.Context.PointRow;
        if (LoadIntegerKeyPoint(frame) is not { } found)
            return null;
        if (!found)
            return point.None();
        SqlValue[] row = point.Start(outputs.Length);
        for (int i = 0; i < row.Length; i++)
            row[i] = StoredValues.FromStored(t_lookup!.ValueAt(outputs[i]));
        return point;
    }

    /// <summary>
    /// Reads the row of a point read by a one-column integer key (<see cref="IsIntegerKeyPoint"/>) into the thread's
    /// lookup buffer: true when a row has the key, false for none (or a NULL key value), null when the value does not fit the key.
    /// </summary>
    private bool? LoadIntegerKeyPoint(Frame frame)
    {
        SqlValue value = Equal[0][0](frame);
        if (value.IsNull)
            return false;
        if (ToKey(value, keyColumns[0], forRange: false) is not { } id)
            return null;
        return frame.Context.Current(schema).TryGet(id.Integer, t_lookup ??= new RowBuffer());
    }

    /// <summary>
    /// Where each of <paramref name="outputs"/> (table ordinals) is among the columns a snapshot's scan decodes
    /// (<paramref name="decoded"/>, null for all); null when one is not decoded. Worked out once per plan: the read
    /// serves one query, whose result columns (<see cref="CoreQuery"/>'s) and decoded columns (<see cref="ReadOnly"/>,
    /// set when the plan is compiled) do not change. A plan shared by sessions may work it out twice, the same each time.
    /// </summary>
    private int[]? Positions(int[] outputs, int[]? decoded)
    {
        if (_projected is { } known)
            return known.Positions;
        int[]? positions = new int[outputs.Length];
        for (int i = 0; i < outputs.Length && positions is not null; i++)
        {
            positions[i] = decoded is null ? outputs[i] : Array.IndexOf(decoded, outputs[i]);
            if (positions[i] < 0)
                positions = null;
        }
        _projected = new ProjectedPositions(positions);
        return positions;
    }

    /// <summary>The places of the query's result columns among a snapshot scan's decoded columns, null when one is not decoded (see <see cref="Positions"/>).</summary>
    private sealed record ProjectedPositions(int[]? Positions);

    /// <summary>The primary key (or row id) of a row read by the primary key, as a bound to seek past it.</summary>
    private Row KeyOf(SqlValue[] read)
    {
        if (schema.HasRowId)
            return Row.Of(read[^1].Integer);
        var key = new object?[_primaryKey.Length];
        for (int i = 0; i < key.Length; i++)
            key[i] = StoredValues.ToStored(read[_primaryKey[i]], schema.Columns[_primaryKey[i]], schema.Name);
        return Row.Of(key);
    }

    /// <summary>
    /// What the key's conditions say of a table row: each fixed column equals one of its values and the next column lies
    /// in the range, compared as SQL compares a column with a value of no affinity.
    /// </summary>
    private Predicate<SqlValue[]> KeyConditions(Frame frame)
    {
        SqlValue[][] equal = [.. Equal.Select(values => values.Select(v => v(frame)).ToArray())];
        SqlValue? low = Low?.Value(frame), high = High?.Value(frame);
        return row =>
        {
            for (int i = 0; i < equal.Length; i++)
            {
                int column = i;
                if (!Array.Exists(equal[i], value => CompareKey(row, column, value) == 0))
                    return false;
            }
            return (low is not { } l || CompareKey(row, equal.Length, l) is int lc && (lc > 0 || (lc == 0 && Low!.Value.Inclusive)))
                && (high is not { } h || CompareKey(row, equal.Length, h) is int hc && (hc < 0 || (hc == 0 && High!.Value.Inclusive)));
        };
    }

    /// <summary>The comparison of the row's value of key column <paramref name="key"/> with <paramref name="value"/>; null when either is NULL.</summary>
    private int? CompareKey(SqlValue[] row, int key, SqlValue value)
    {
        Column column = keyColumns[key];
        return SqlComparison.Compare(row[schema.IndexOf(column.Name)], TypeMapping.AffinityOf(column.Type), value, Affinity.None);
    }

    /// <summary>The SQL row of a stored row of all columns: only the columns read are converted.</summary>
    private SqlValue[] FromWholeRow(RowValues row)
    {
        if (_readOrdinals is not { } ordinals)
            return StoredValues.FromRow(row);
        var values = new SqlValue[row.Count];
        foreach (int ordinal in ordinals)
            values[ordinal] = StoredValues.FromStored(row.ValueAt(ordinal));
        return values;
    }

    /// <summary>Fills <paramref name="values"/> from the values a scan read (the columns at <paramref name="ordinals"/>, or all, each put at its place).</summary>
    private static SqlValue[] FromReadColumns(Value[] stored, int[]? ordinals, SqlValue[] values)
    {
        for (int i = 0; i < stored.Length; i++)
            values[ordinals is not null ? ordinals[i] : i] = StoredValues.FromStored(stored[i]);
        return values;
    }

    /// <summary>The width of the rows a read produces: the table's columns, and the row id last for a table without a key.</summary>
    private int RowWidth => schema.Columns.Count + (schema.HasRowId ? 1 : 0);

    /// <summary>The order of a scan: by primary key, or by the row id (read last) of a table without one.</summary>
    private int ScanOrder(SqlValue[] left, SqlValue[] right)
    {
        if (schema.HasRowId)
            return SqlValue.Compare(left[^1], right[^1]);
        foreach (int ordinal in _primaryKey)
        {
            int order = SqlValue.Compare(left[ordinal], right[ordinal]);
            if (order != 0)
                return order;
        }
        return 0;
    }
}
