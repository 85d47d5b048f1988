using PageDb.Sql.Execution;
using PageDb.Sql.Statistics;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>
/// Chooses how each FROM table of a SELECT core is read. While WHERE is split at its ANDs, <see cref="Note"/> keeps
/// every part of the form <c>column op value</c> (op one of = &lt; &lt;= &gt; &gt;=, also BETWEEN and IN lists) whose
/// value depends on none of the core's own tables (for =, none but tables joined before: a join lookup) and has no
/// affinity of its own (or the column's), so the comparison converts it exactly as <see cref="TableAccess"/> does.
/// <see cref="Choose"/> then orders the joins (<see cref="JoinOrder"/>) and gives each inner-joined table the
/// tightest of its primary key and secondary indexes: the one that fixes the most leading key columns by equality,
/// then the one with a range (both ends before one) on the column after them, the primary key winning ties. When
/// ANALYZE has stored statistics for the table, the key estimated to read the fewest rows wins instead (equality keeps
/// rows / distinct values per candidate value; a range keeps the rows of the histogram buckets its literal ends touch,
/// or a quarter per end that is not a literal), so an equality on a column of few values loses to a narrow range on a
/// nearly unique one. A table nothing constrains is scanned. The conditions stay in the plan, so a read may return
/// more rows than they accept; except that a condition the chosen read guarantees exactly is dropped
/// (<see cref="DropGuaranteed"/>): one on the primary key's NOT NULL integer or text columns whose values have no
/// affinity of their own and read none of the core's tables.
/// </summary>
internal sealed class AccessPlanner(ExpressionBinder binder, SqlCatalog catalog, IReadOnlyList<Table?> tables)
{
    // tables: the table each FROM item of the core reads (null for a subquery), as the compiling transaction opened it:
    // for planning only (indexes, statistics); the plan holds schemas (JoinSource.Schema, TableAccess).

    private readonly List<Constraint> _constraints = [];
    private readonly List<(Evaluator Condition, ulong Sources)> _placed = [];
    // Each placed condition with the constraints noted from it (a span of _constraints), and where the last Note began.
    private readonly List<(Evaluator Condition, int First, int Count)> _noted = [];
    private int _notedFrom;
    // The constraints each FROM item's chosen access reads by.
    private readonly Dictionary<int, List<Constraint>> _used = [];
    // Equalities a hash join can use, with the LEFT-joined item whose ON condition they come from (-1: WHERE or an inner ON).
    private readonly List<(JoinKey Key, int LeftItem)> _joinKeys = [];
    // The FROM items (bits) the ON condition of each LEFT-joined item reads: a join order joins them before it.
    private readonly Dictionary<int, ulong> _leftReads = [];
    // The conditions DropGuaranteed took out of the plan.
    private readonly HashSet<Evaluator> _dropped = [];

    /// <summary>
    /// What one condition says about one column: its candidate values, or one end of a range (with its value when it is
    /// a literal); <paramref name="Needs"/> holds the FROM items an equality's value reads (a join lookup), else 0;
    /// <paramref name="Plain"/> is true when every value has no affinity of its own (the comparison converts it to the column's).
    /// </summary>
    private sealed record Constraint(int Source, string Column, Evaluator[]? Equal, RangeBound? Low, RangeBound? High, SqlValue? Literal = null, ulong Needs = 0, bool Plain = false);

    /// <summary>A way to read a table: its access, its score without statistics, its estimated rows with them, and the constraints it reads by.</summary>
    private readonly record struct Choice(TableAccess Access, int Score, double? Rows, List<Constraint> Used);

    /// <summary>Keeps what <paramref name="condition"/> (one part of WHERE or of an inner ON) says about a column.</summary>
    public void Note(SqlExpr condition, Scope scope, CoreQuery core)
    {
        _notedFrom = _constraints.Count;
        switch (condition)
        {
            case BinaryExpr { Operator: "=" or "<" or "<=" or ">" or ">=" } b:
                // An equality of two tables' columns is noted both ways: either table may be the one looked up.
                if (!NoteComparison(b.Operator, b.Left, b.Right, scope, core) || b.Operator == "=")
                    NoteComparison(Mirror(b.Operator), b.Right, b.Left, scope, core);
                break;
            case BetweenExpr { Negated: false } between:
                if (Column(between.Operand, scope, core) is { } column
                    && Value(between.Low, column, scope, false, out _) is { } low && Value(between.High, column, scope, false, out _) is { } high)
                {
                    bool plain = low.Affinity == Affinity.None && high.Affinity == Affinity.None;
                    _constraints.Add(new Constraint(column.SourceIndex, column.Name, null, new RangeBound(low.Evaluate, true), null, Literal(between.Low), Plain: plain));
                    _constraints.Add(new Constraint(column.SourceIndex, column.Name, null, null, new RangeBound(high.Evaluate, true), Literal(between.High), Plain: plain));
                }
                break;
            case InListExpr { Negated: false } inList when inList.Items.Count > 0:
                if (Column(inList.Operand, scope, core) is { } target && Values(inList.Items, target, scope) is { } values)
                {
                    _constraints.Add(new Constraint(target.SourceIndex, target.Name, [.. values.Select(v => v.Evaluate)], null, null,
                        Plain: values.All(v => v.Affinity == Affinity.None)));
                }
                break;
        }
    }

    /// <summary>
    /// Keeps <paramref name="condition"/> (one part of WHERE or of an ON, already bound) as a key for a hash join when
    /// it is <c>a = b</c> with one side reading only one FROM item and the other only other items, both plain
    /// expressions of columns, literals and parameters (noted both ways, as either item may be the one hashed). A key
    /// from the ON of LEFT-joined item <paramref name="leftItem"/> (-1 for none) can hash only that item.
    /// </summary>
    public void NoteJoinKey(SqlExpr condition, Scope scope, int leftItem)
    {
        if (condition is not BinaryExpr { Operator: "=" } equal || !IsPlain(equal.Left, scope) || !IsPlain(equal.Right, scope))
            return;
        (Bound left, ulong leftSources) = BindSide(equal.Left, scope);
        (Bound right, ulong rightSources) = BindSide(equal.Right, scope);
        NoteJoinKey(left, leftSources, right, rightSources, leftItem);
        NoteJoinKey(right, rightSources, left, leftSources, leftItem);
    }

    /// <summary>Keeps <paramref name="build"/> = <paramref name="probe"/> as a key for hashing the one item <paramref name="buildSources"/> names.</summary>
    public void NoteJoinKey(Bound build, ulong buildSources, Bound probe, ulong probeSources, int leftItem)
    {
        if (buildSources == 0 || (buildSources & (buildSources - 1)) != 0 || (probeSources & buildSources) != 0 || probeSources == 0
            || buildSources == Scope.Bit(63))
            return;
        int item = System.Numerics.BitOperations.TrailingZeroCount(buildSources);
        if (leftItem < 0 || leftItem == item)
            _joinKeys.Add((new JoinKey(item, build, probe, probeSources), leftItem));
    }

    private (Bound, ulong) BindSide(SqlExpr side, Scope scope)
    {
        scope.ResetUse();
        Bound bound = binder.Bind(side, scope);
        ulong sources = scope.SourcesUsed;
        scope.ResetUse();
        return (bound, sources);
    }

    /// <summary>True for an expression of this core's or enclosing cores' columns, literals and parameters, with operators, casts and no alias.</summary>
    private static bool IsPlain(SqlExpr expression, Scope scope) => expression switch
    {
        LiteralExpr or ParameterExpr => true,
        ColumnExpr column => scope.Resolve(column.Table, column.Column, m => new SqlException(m)) is not null,
        UnaryExpr unary => IsPlain(unary.Operand, scope),
        BinaryExpr binary => IsPlain(binary.Left, scope) && IsPlain(binary.Right, scope),
        CastExpr cast => IsPlain(cast.Operand, scope),
        _ => false,
    };

    /// <summary>Records that the ON condition of LEFT-joined item <paramref name="item"/> reads FROM items <paramref name="sources"/> (bits).</summary>
    public void NoteLeftJoinReads(int item, ulong sources) => _leftReads[item] = _leftReads.GetValueOrDefault(item) | sources;

    /// <summary>Records where a condition reading FROM items <paramref name="sources"/> (bits) was placed, so a new join order can move it.</summary>
    public void Placed(Evaluator condition, ulong sources)
    {
        _placed.Add((condition, sources));
        _noted.Add((condition, _notedFrom, _constraints.Count - _notedFrom));
        _notedFrom = _constraints.Count;
    }

    /// <summary>
    /// Orders the joins of <paramref name="core"/> (<see cref="JoinOrder"/>) and gives each table the tightest access
    /// its noted conditions allow, using as join lookups the values of the items joined before it; when the order
    /// changes, moves each placed condition to the first item at which all it reads is joined.
    /// </summary>
    public void Choose(CoreQuery core)
    {
        int[]? order = JoinOrder(core);
        ulong before = 0;
        for (int level = 0; level < core.Sources.Count; level++)
        {
            int i = order?[level] ?? level;
            JoinSource source = core.Sources[i];
            if (tables[i] is not null && source.Kind == JoinKind.Inner && Best(core, i, before) is { } best)
                (source.Access, _used[i]) = (best.Access, best.Used);
            if (level > 0)
                source.HashKeys = HashKeys(source, i, before);
            before |= Scope.Bit(i);
        }
        if (order is not null)
        {
            core.JoinOrder = order;
            foreach (JoinSource source in core.Sources)
                source.Filters.Clear();
            foreach ((Evaluator condition, ulong sources) in _placed)
                core.Sources[order.Last(i => (sources & Scope.Bit(i)) != 0 || i == order[0])].Filters.Add(condition);
        }
        DropGuaranteed(core);
    }

    /// <summary>
    /// Drops from each item's conditions those its chosen access guarantees: every constraint noted from the condition
    /// is one the access reads by, on a NOT NULL integer or text column of the primary key (whose key order is the
    /// comparison's order, and which holds no NULL), with values of no affinity (converted to the column's type as the
    /// comparison converts them) that read none of the core's items. A read whose values fit the key then returns
    /// exactly the rows the condition accepts; one whose values do not fit checks the key's conditions itself
    /// (<see cref="TableAccess.GuaranteesConditions"/>).
    /// </summary>
    private void DropGuaranteed(CoreQuery core)
    {
        foreach ((int i, List<Constraint> used) in _used)
        {
            JoinSource source = core.Sources[i];
            if (source.Access is not { Index: null } access || tables[i]!.Schema.HasRowId)
                continue;
            foreach ((Evaluator condition, int first, int count) in _noted)
            {
                if (count > 0 && _constraints.GetRange(first, count).TrueForAll(c => used.Exists(u => ReferenceEquals(u, c)) && IsExact(c, tables[i]!))
                    && source.Filters.Remove(condition))
                {
                    access.GuaranteesConditions = true;
                    _dropped.Add(condition);
                }
            }
        }
    }

    /// <summary>True when <see cref="Choose"/> dropped <paramref name="condition"/>, which the chosen read guarantees: it is never evaluated.</summary>
    public bool IsDropped(Evaluator condition) => _dropped.Contains(condition);

    /// <summary>True when a key read by <paramref name="constraint"/> gives exactly the rows its comparison accepts.</summary>
    private static bool IsExact(Constraint constraint, Table table)
    {
        Column column = table.Schema.Columns[table.Schema.IndexOf(constraint.Column)];
        return constraint is { Needs: 0, Plain: true } && !column.Nullable && column.Type is ColumnType.Int64 or ColumnType.String;
    }

    /// <summary>
    /// The keys by which item <paramref name="i"/> can be hashed, its probe values read from the items in
    /// <paramref name="before"/>: a LEFT-joined item's from its ON condition only, an inner one's from any inner condition.
    /// </summary>
    private JoinKey[] HashKeys(JoinSource source, int i, ulong before)
    {
        int leftItem = source.Kind == JoinKind.Left ? i : -1;
        return [.. _joinKeys.Where(k => k.Key.Build == i && k.LeftItem == leftItem && (k.Key.ProbeSources & ~before) == 0).Select(k => k.Key)];
    }

    /// <summary>
    /// The join order ANALYZE's statistics suggest, or null to keep the FROM order. The leading run of FROM items that
    /// are tables with statistics is reordered (<see cref="Reorderable"/>); the items from the first subquery or table
    /// without statistics on keep their place after it. Inner joins move across LEFT joins: a LEFT-joined item may be
    /// joined anywhere but first once every item its ON reads is joined (<see cref="CanJoin"/>), which gives the same
    /// rows, as whether its rows match depends only on those items, and conditions reading it are checked after its
    /// NULL row is joined. Up to <see cref="MostPermuted"/> items, every such order of the run is costed
    /// (<see cref="OrderCost"/>) and the cheapest taken; past that, greedily the item expected to give the fewest rows
    /// next. Ties keep FROM order.
    /// </summary>
    private int[]? JoinOrder(CoreQuery core)
    {
        int count = core.Sources.Count;
        int run = Reorderable(core);
        if (run < 2 || count > 63)
            return null;
        int[] order = run <= MostPermuted ? CheapestOrder(core, run) : GreedyOrder(core, run);
        order = [.. order, .. Enumerable.Range(run, count - run)];
        return order.Select((s, i) => s == i).All(same => same) ? null : order;
    }

    /// <summary>The most items whose every order is costed: 6 makes 720 orders of at most 6 accesses each.</summary>
    private const int MostPermuted = 6;

    /// <summary>How many FROM items, from the first, are tables (inner- or LEFT-joined) with statistics.</summary>
    private int Reorderable(CoreQuery core)
    {
        int run = 0;
        while (run < core.Sources.Count && tables[run] is { } table && catalog.Statistics(table).Count > 0)
            run++;
        return run;
    }

    /// <summary>
    /// Whether item <paramref name="i"/> may be joined at <paramref name="level"/> after the items in
    /// <paramref name="before"/>: an inner-joined item anywhere, a LEFT-joined one after every item its ON reads (and so
    /// never first: its NULL row is joined to the rows before it).
    /// </summary>
    private bool CanJoin(CoreQuery core, int i, int level, ulong before) =>
        core.Sources[i].Kind != JoinKind.Left || (level > 0 && (_leftReads.GetValueOrDefault(i) & ~Scope.Bit(i) & ~before) == 0);

    /// <summary>Whether every item of <paramref name="order"/> may be joined where it stands (<see cref="CanJoin(CoreQuery, int, int, ulong)"/>).</summary>
    private bool CanJoinInOrder(CoreQuery core, int[] order)
    {
        ulong before = 0;
        for (int level = 0; level < order.Length; level++)
        {
            if (!CanJoin(core, order[level], level, before))
                return false;
            before |= Scope.Bit(order[level]);
        }
        return true;
    }

    /// <summary>The item whose LEFT join a hash key of item <paramref name="i"/> must come from: itself when LEFT-joined, else none (-1).</summary>
    private static int LeftItemOf(CoreQuery core, int i) => core.Sources[i].Kind == JoinKind.Left ? i : -1;

    /// <summary>The order of items 0..<paramref name="run"/>-1 of least <see cref="OrderCost"/>, the first found among equals.</summary>
    private int[] CheapestOrder(CoreQuery core, int run)
    {
        int[] best = [.. Enumerable.Range(0, run)];
        double bestCost = OrderCost(core, best);
        int[] order = (int[])best.Clone();
        while (NextPermutation(order))
        {
            if (!CanJoinInOrder(core, order))
                continue;
            double cost = OrderCost(core, order);
            if (cost < bestCost)
                (best, bestCost) = ((int[])order.Clone(), cost);
        }
        return best;
    }

    /// <summary>Steps <paramref name="order"/> to the next permutation in lexicographic order; false after the last.</summary>
    private static bool NextPermutation(int[] order)
    {
        int i = order.Length - 2;
        while (i >= 0 && order[i] >= order[i + 1])
            i--;
        if (i < 0)
            return false;
        int j = order.Length - 1;
        while (order[j] <= order[i])
            j--;
        (order[i], order[j]) = (order[j], order[i]);
        Array.Reverse(order, i + 1, order.Length - i - 1);
        return true;
    }

    /// <summary>
    /// The estimated work of joining in <paramref name="order"/>, in rows touched. The first item costs the rows its
    /// best access reads. An item with a join lookup costs, per row so far, a descent (<see cref="LookupCost"/>) and
    /// the rows it finds, or, as <see cref="HashJoin"/> switches to a hash table when that is cheaper, building one from
    /// all its rows (<see cref="BuildCost"/> each) and probing it once per row so far. Another item with a hash key
    /// costs the build and the probes, and gives as many rows as the larger side (a key joined to its foreign key);
    /// one without costs every pair. So a large table nothing narrows streams past a small one hashed, and a selective
    /// table drives lookups into a large one. A LEFT-joined item is read whole (it is never looked up) and hashed by the
    /// keys of its own ON.
    /// </summary>
    private double OrderCost(CoreQuery core, int[] order)
    {
        double cost = 0, rows = 1;
        ulong before = 0;
        for (int level = 0; level < order.Length; level++)
        {
            int i = order[level];
            Choice? best = core.Sources[i].Kind == JoinKind.Inner ? Best(core, i, before) : null;
            double all = AllRows(i);
            if (level == 0)
                (cost, rows) = (best?.Rows ?? all, best?.Rows ?? all);
            else if (best is { Access.PerJoinedRow: true } lookup)
            {
                double found = lookup.Rows ?? 1;
                double lookups = rows * (LookupCost + found);
                cost += HashJoin.CanReplace(lookup.Access) ? Math.Min(lookups, all * BuildCost + rows * (1 + found)) : lookups;
                rows *= found;
            }
            else
            {
                double read = best?.Rows ?? all;
                int leftItem = LeftItemOf(core, i);
                bool hashed = _joinKeys.Exists(k => k.Key.Build == i && k.LeftItem == leftItem && (k.Key.ProbeSources & ~before) == 0);
                cost += hashed ? read * BuildCost + rows : rows * read;
                rows = hashed ? Math.Max(rows, read) : rows * read;
            }
            before |= Scope.Bit(i);
        }
        return cost;
    }

    /// <summary>What a key lookup costs against reading one row, in rows: a descent through a few pages.</summary>
    private const double LookupCost = 4;

    /// <summary>What putting one row in a hash table costs against streaming it: it is decoded whole and kept.</summary>
    private const double BuildCost = 4;

    private double AllRows(int i) => catalog.Statistics(tables[i]!).Values.First().Rows;

    /// <summary>Items 0..<paramref name="run"/>-1 ordered greedily: next the one expected to give the fewest rows given those before.</summary>
    private int[] GreedyOrder(CoreQuery core, int run)
    {
        var order = new int[run];
        ulong chosen = 0;
        for (int level = 0; level < run; level++)
        {
            int best = -1;
            double bestRows = double.MaxValue;
            for (int i = 0; i < run; i++)
            {
                if ((chosen & Scope.Bit(i)) != 0 || !CanJoin(core, i, level, chosen))
                    continue;
                double rows = (core.Sources[i].Kind == JoinKind.Inner ? Best(core, i, chosen)?.Rows : null) ?? AllRows(i);
                if (rows < bestRows)
                    (best, bestRows) = (i, rows);
            }
            order[level] = best;
            chosen |= Scope.Bit(best);
        }
        return order;
    }

    /// <summary>The tightest access to item <paramref name="i"/> by conditions whose values read only items in <paramref name="available"/>.</summary>
    private Choice? Best(CoreQuery core, int i, ulong available)
    {
        Table table = tables[i]!;
        List<Constraint> constraints = _constraints.FindAll(c => c.Source == i && (c.Needs & ~available) == 0);
        if (constraints.Count == 0)
            return null;
        IReadOnlyDictionary<string, ColumnStatistics> statistics = catalog.Statistics(table);
        Choice? best = null;
        if (!table.Schema.HasRowId)
            best = Better(best, Candidate(table, null, table.Schema.PrimaryKey, constraints, statistics, tie: 1));
        foreach (string index in table.IndexNames)
            best = Better(best, Candidate(table, index, table.IndexColumns(index), constraints, statistics, tie: 0));
        return best;
    }

    /// <summary>A read of all of <paramref name="index"/> (null: the primary key), in its order, to serve an ORDER BY.</summary>
    public static TableAccess OrderedScan(Table table, string? index) =>
        new(table.Schema, index, [.. (index is null ? table.Schema.PrimaryKey : table.IndexColumns(index)).Select(n => table.Schema.Columns[table.Schema.IndexOf(n)])], [], null, null);

    private static Choice? Better(Choice? best, Choice? candidate)
    {
        if (candidate is not { } c)
            return best;
        if (best is not { } b)
            return c;
        if (c.Rows is { } rows && b.Rows is { } bestRows && rows != bestRows)
            return rows < bestRows ? c : b;
        return c.Score > b.Score ? c : b;
    }

    /// <summary>
    /// The access through one key (<paramref name="index"/> null for the primary key) and its score: equal columns
    /// first, then range ends, then the tie-breaker; with the rows it is estimated to read when
    /// <paramref name="statistics"/> covers its columns. Null when the key's first column is not constrained.
    /// </summary>
    private static Choice? Candidate(
        Table table, string? index, IReadOnlyList<string> keyNames, List<Constraint> constraints,
        IReadOnlyDictionary<string, ColumnStatistics> statistics, int tie)
    {
        Column[] keyColumns = [.. keyNames.Select(n => table.Schema.Columns[table.Schema.IndexOf(n)])];
        var equal = new List<Evaluator[]>();
        var used = new List<Constraint>();
        ulong needs = 0;
        Constraint? low = null, high = null;
        double? rows = statistics.Count == 0 ? null : statistics.Values.First().Rows;
        foreach (Column column in keyColumns)
        {
            List<Constraint> onColumn = constraints.FindAll(c => c.Column == column.Name);
            statistics.TryGetValue(column.Name, out ColumnStatistics? stats);
            Constraint? fixing = onColumn.Where(c => c.Equal is not null).MinBy(c => c.Equal!.Length);
            if (fixing is not null)
            {
                equal.Add(fixing.Equal!);
                used.Add(fixing);
                needs |= fixing.Needs;
                rows = Scaled(rows, stats, stats?.EqualRows(fixing.Equal!.Length));
                continue;
            }
            low = onColumn.Find(c => c.Low is not null);
            high = onColumn.Find(c => c.High is not null);
            used.AddRange(new[] { low, high }.OfType<Constraint>());
            if (low is not null || high is not null)
                rows = Scaled(rows, stats, stats?.RangeRows(low?.Literal, high?.Literal, low is not null, high is not null));
            break;
        }
        int ends = (low is null ? 0 : 1) + (high is null ? 0 : 1);
        if (equal.Count == 0 && ends == 0)
            return null;
        return new Choice(new TableAccess(table.Schema, index, keyColumns, [.. equal], low?.Low, high?.High, needs != 0), (equal.Count * 4 + ends) * 2 + tie, rows, used);
    }

    /// <summary><paramref name="rows"/> scaled by the share of the column's rows a condition keeps; null without statistics.</summary>
    private static double? Scaled(double? rows, ColumnStatistics? stats, double? kept)
    {
        if (rows is not { } before || stats is null || kept is not { } share)
            return null;
        return stats.Rows == 0 ? 0 : before * share / stats.Rows;
    }

    private bool NoteComparison(string op, SqlExpr left, SqlExpr right, Scope scope, CoreQuery core)
    {
        if (Column(left, scope, core) is not { } column || Value(right, column, scope, op == "=", out ulong needs) is not { } bound)
            return false;
        Evaluator value = bound.Evaluate;
        bool plain = bound.Affinity == Affinity.None;
        _constraints.Add(op switch
        {
            "=" => new Constraint(column.SourceIndex, column.Name, [value], null, null, Needs: needs, Plain: plain),
            "<" or "<=" => new Constraint(column.SourceIndex, column.Name, null, null, new RangeBound(value, op == "<="), Literal(right), Plain: plain),
            _ => new Constraint(column.SourceIndex, column.Name, null, new RangeBound(value, op == ">="), null, Literal(right), Plain: plain),
        });
        return true;
    }

    private static SqlValue? Literal(SqlExpr expression) => expression is LiteralExpr literal ? literal.Value : null;

    private static string Mirror(string op) => op switch
    {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        _ => op,
    };

    /// <summary>The column of a FROM table of this core that <paramref name="expression"/> names, if it is one whose type keys can hold.</summary>
    private ScopeColumn? Column(SqlExpr expression, Scope scope, CoreQuery core)
    {
        if (expression is not ColumnExpr name)
            return null;
        if (scope.Resolve(name.Table, name.Column, m => binder.Error(name.Offset, m)) is not ({ } found, 0))
            return null;
        Table? table = tables[found.SourceIndex];
        if (table is null)
            return null;
        ColumnType type = table.Schema.Columns[table.Schema.IndexOf(found.Name)].Type;
        return type is ColumnType.Int64 or ColumnType.Double or ColumnType.String ? found : null;
    }

    private Bound[]? Values(IReadOnlyList<SqlExpr> items, ScopeColumn column, Scope scope)
    {
        var values = new Bound[items.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (Value(items[i], column, scope, false, out _) is not { } value)
                return null;
            values[i] = value;
        }
        return values;
    }

    /// <summary>
    /// The value compared with <paramref name="column"/>, when it is converted as the key's values are and constant for
    /// the core, or (<paramref name="joinLookup"/>) reads only other FROM items, named in <paramref name="needs"/>.
    /// </summary>
    private Bound? Value(SqlExpr expression, ScopeColumn column, Scope scope, bool joinLookup, out ulong needs)
    {
        scope.ResetUse();
        Bound bound = binder.Bind(expression, scope);
        needs = scope.SourcesUsed;
        bool usable = (needs == 0 || (joinLookup && (needs & Scope.Bit(column.SourceIndex)) == 0))
            && (bound.Affinity == Affinity.None || bound.Affinity == column.Affinity);
        scope.ResetUse();
        return usable ? bound : null;
    }
}
