using PageDb.Sql.Execution;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>
/// Compiles a parsed SELECT against the catalog of a transaction: resolves its FROM items to tables (or compiled
/// subqueries), binds every expression in the right scope, splits WHERE into conditions placed at the join level that
/// can first check them, and resolves ORDER BY terms to result columns or expressions.
/// </summary>
internal sealed class QueryCompiler
{
    private readonly SqlCatalog _catalog;
    private readonly ExpressionBinder _binder;
    private readonly List<Table> _tables = [];

    /// <summary>A compiler for statements of <paramref name="sql"/> run in <paramref name="catalog"/>'s transaction.</summary>
    public QueryCompiler(SqlCatalog catalog, string sql)
    {
        _catalog = catalog;
        _binder = new ExpressionBinder(this, sql);
    }

    /// <summary>The expression binder (for statements that bind expressions outside a query).</summary>
    public ExpressionBinder Binder => _binder;

    /// <summary>The tables the compiled queries name (what a cached plan depends on).</summary>
    public IReadOnlyList<Table> TablesUsed => _tables;

    /// <summary>Compiles <paramref name="select"/>; <paramref name="parent"/> is the enclosing query's scope for a subquery.</summary>
    public CompiledQuery Compile(SelectStatement select, Scope? parent)
    {
        var correlation = new Correlation();
        var cores = new List<CoreQuery>();
        List<string>? names = null;
        List<Affinity>? affinities = null;
        bool compound = select.Cores.Count > 1;
        for (int i = 0; i < select.Cores.Count; i++)
        {
            (CoreQuery core, List<string> coreNames, List<Affinity> coreAffinities) =
                CompileCore(select.Cores[i], parent, correlation, i == 0 && !compound ? select.OrderBy : []);
            if (names is not null && coreNames.Count != names.Count)
                throw _binder.Error(select.Offset, "SELECTs to the left and right of a compound operator do not have the same number of result columns.");
            names ??= coreNames;
            affinities ??= coreAffinities;
            cores.Add(core);
        }
        List<MergeTerm> compoundOrder = compound ? CompoundOrder(select.OrderBy, names!) : [];
        var emptyScope = new Scope(parent, correlation);
        Evaluator? limit = select.Limit is null ? null : _binder.Bind(select.Limit, emptyScope).Evaluate;
        Evaluator? offset = select.OffsetRows is null ? null : _binder.Bind(select.OffsetRows, emptyScope).Evaluate;
        OrderKey[] order = compound || cores[0].InKeyOrder ? [] : [.. select.OrderBy.Select(t => new OrderKey(t.Descending, t.NullsFirst))];
        return new CompiledQuery(names!, affinities!, correlation, cores, select.Operators, order, compoundOrder, limit, offset);
    }

    private List<MergeTerm> CompoundOrder(IReadOnlyList<OrderTerm> terms, List<string> names)
    {
        var order = new List<MergeTerm>();
        foreach (OrderTerm term in terms)
        {
            int position = OutputPosition(term.Expression, names, aliasesOnly: false);
            if (position < 0)
                throw _binder.Error(term.Expression.Offset, "An ORDER BY term of a compound SELECT must name a result column.");
            order.Add(new MergeTerm(position, new OrderKey(term.Descending, term.NullsFirst)));
        }
        return order;
    }

    private (CoreQuery, List<string>, List<Affinity>) CompileCore(SelectCore select, Scope? parent, Correlation correlation, IReadOnlyList<OrderTerm> orderBy)
    {
        var core = new CoreQuery { Distinct = select.Distinct };
        var scope = new Scope(parent, correlation);
        List<Table?> tables = AddSources(select.From, scope, parent, core);
        scope.Aliases = Aliases(select.Columns);
        core.IsAggregate = select.GroupBy.Count > 0 || select.Having is not null
            || select.Columns.Any(c => c.Expression is not null && AggregateFinder.Contains(c.Expression))
            || orderBy.Any(t => AggregateFinder.Contains(t.Expression));
        var access = new AccessPlanner(_binder, _catalog, tables);
        var conditionReads = new List<(Evaluator, bool[])>();
        BindJoinConditions(select.From, scope, core, access, conditionReads);
        if (select.Where is not null)
            PlaceConditions(select.Where, scope, core, null, access, conditionReads);
        access.Choose(core);
        // A condition the chosen read guarantees is never evaluated: only the others' columns count as read.
        foreach ((Evaluator condition, bool[] reads) in conditionReads)
        {
            if (!access.IsDropped(condition))
                scope.AddReads(reads);
        }
        foreach (SqlExpr term in select.GroupBy)
            core.GroupBy.Add(BindGroupTerm(term, select.Columns, scope).Evaluate);
        if (core.IsAggregate)
            scope.Aggregates = core.Aggregates;
        (List<string> names, List<Affinity> affinities) = BindOutputs(select.Columns, scope, core);
        if (select.Having is not null)
            core.Having = _binder.Bind(select.Having, scope).Evaluate;
        bool[] readBeforeOrder = scope.ReadSoFar();
        foreach (OrderTerm term in orderBy)
        {
            int position = OutputPosition(term.Expression, names, aliasesOnly: true, select.Columns);
            core.OrderKeys.Add(position >= 0 ? (null, position) : (_binder.Bind(term.Expression, scope), -1));
        }
        core.InKeyOrder = orderBy.Count > 0 && IsKeyOrder(orderBy, select.Columns, scope, core, tables);
        // Rows read in ascending primary-key order as they come neither evaluate nor compare the ORDER BY terms, so
        // the columns only those terms name need not be decoded (ORDER BY id reading one other column decodes that one).
        if (core.InKeyOrder && core.Sources[0].Access is not { KeepsOrder: true })
            scope.ResetReads(readBeforeOrder);
        ReadOnlyUsedColumns(scope, core);
        return (core, names, affinities);
    }

    /// <summary>
    /// Tells each key or index read, and the streamed read of each other table, which of its table's columns the core's
    /// expressions read (the others stay NULL in its rows), so that, for instance, a range read of one column does not
    /// decode the others' text.
    /// </summary>
    private static void ReadOnlyUsedColumns(Scope scope, CoreQuery core)
    {
        int offset = 0;
        foreach (JoinSource source in core.Sources)
        {
            if (source.Access is null && source.Schema is { } schema)
                source.Scan = TableAccess.WholeTable(schema);
            if ((source.Access ?? source.Scan) is { } access)
            {
                var read = new bool[source.Width];
                for (int i = 0; i < read.Length; i++)
                    read[i] = scope.IsRead(offset + i);
                access.ReadOnly(read);
            }
            offset += source.Width;
        }
    }

    /// <summary>
    /// True when ORDER BY asks for an order the core's rows can come in without a sort: one table, no grouping, and the
    /// terms plain columns of it, all ascending or all descending. A scan, a primary-key read and an index read
    /// (<see cref="TableAccess"/> puts its rows back in scan order) all give primary-key order; an index read told to
    /// keep its own order gives the index's (not under DISTINCT, which keeps the first of equal rows in scan order), so
    /// terms that are the index's columns after the ones its read fixes to one value are served by it (with no WHERE
    /// on the index, by reading all of it in order). Descending terms take the rows reversed, which puts NULLs (first in
    /// a key) last, as SQL's descending order does.
    /// </summary>
    private static bool IsKeyOrder(IReadOnlyList<OrderTerm> orderBy, IReadOnlyList<ResultColumn> columns, Scope scope, CoreQuery core, List<Table?> tables)
    {
        if (core.IsAggregate || core.Sources.Count != 1 || tables[0] is not { } table
            || OrderColumns(orderBy, columns, scope, core) is not { } order)
            return false;
        bool descending = orderBy[0].Descending;
        JoinSource source = core.Sources[0];
        if (!table.Schema.HasRowId && order.Count <= table.Schema.PrimaryKey.Count
            && order.Select((c, i) => c == table.Schema.PrimaryKey[i]).All(same => same))
        {
            if (!descending)
                return true;
            if (core.Distinct)
                return false;
            source.Access ??= AccessPlanner.OrderedScan(table, null);
            return source.Access.KeepOrder(0, Ordinals(table, order), indexOrder: false, descending);
        }
        if (core.Distinct)
            return false;
        if (source.Access is { Index: { } index } access)
            return access.KeepOrder(OrderStart(table.IndexColumns(index), order, access), Ordinals(table, order), indexOrder: true, descending);
        if (source.Access is not null)
            return false;
        foreach (string candidate in table.IndexNames)
        {
            if (OrderStart(table.IndexColumns(candidate), order, null) == 0)
            {
                source.Access = AccessPlanner.OrderedScan(table, candidate);
                return source.Access.KeepOrder(0, Ordinals(table, order), indexOrder: true, descending);
            }
        }
        return false;
    }

    /// <summary>
    /// The table columns the ORDER BY terms name, when each is a plain column whose key order is the comparison's
    /// (integer, real, text by code point, boolean; NULLs first), all terms run the same way, and each puts its NULLs
    /// where that direction puts them in the key: first ascending, last descending (a NOT NULL column has none). Else null.
    /// </summary>
    private static List<string>? OrderColumns(IReadOnlyList<OrderTerm> orderBy, IReadOnlyList<ResultColumn> columns, Scope scope, CoreQuery core)
    {
        TableSchema table = core.Sources[0].Schema!;
        bool descending = orderBy[0].Descending;
        var names = new List<string>();
        for (int i = 0; i < orderBy.Count; i++)
        {
            (Bound? expression, int output) = core.OrderKeys[i];
            SqlExpr? term = expression is null ? columns[output].Expression : orderBy[i].Expression;
            if (orderBy[i].Descending != descending || term is not ColumnExpr column
                || scope.Resolve(column.Table, column.Column, m => new SqlException(m)) is not ({ SourceIndex: 0 } found, 0))
                return null;
            Column key = table.Columns[table.IndexOf(found.Name)];
            if (key.Nullable && orderBy[i].NullsFirst == descending
                || key.Type is not (ColumnType.Int64 or ColumnType.Double or ColumnType.String or ColumnType.Boolean))
                return null;
            names.Add(key.Name);
        }
        return names;
    }

    /// <summary>
    /// Where <paramref name="order"/> starts among <paramref name="indexColumns"/> when the index's rows, as
    /// <paramref name="access"/> reads them, come in that order: right after columns fixed to one value each (or at
    /// the start); -1 when they do not. The terms must run to the index's last column, so that rows they leave tied
    /// have equal index keys and come in primary-key order, as a stable sort of the scan would leave them: the result
    /// is the sorted one exactly, not merely another valid order.
    /// </summary>
    private static int OrderStart(IReadOnlyList<string> indexColumns, List<string> order, TableAccess? access)
    {
        int fixedToOne = 0;
        while (access is not null && fixedToOne < access.Equal.Length && access.Equal[fixedToOne].Length == 1)
            fixedToOne++;
        for (int start = 0; start <= fixedToOne; start++)
        {
            if (start + order.Count == indexColumns.Count && order.Select((c, i) => c == indexColumns[start + i]).All(same => same))
                return start;
        }
        return -1;
    }

    private static int[] Ordinals(Table table, List<string> columns) => [.. columns.Select(table.Schema.IndexOf)];

    private static Dictionary<string, SqlExpr> Aliases(IReadOnlyList<ResultColumn> columns)
    {
        var aliases = new Dictionary<string, SqlExpr>(StringComparer.OrdinalIgnoreCase);
        foreach (ResultColumn column in columns)
        {
            if (column.Alias is not null && column.Expression is not null)
                aliases.TryAdd(column.Alias, column.Expression);
        }
        return aliases;
    }

    /// <summary>
    /// Adds the FROM items to <paramref name="core"/>; returns the table each reads (null for a subquery), for planning:
    /// the items hold their tables' schemas only (<see cref="JoinSource.Schema"/>).
    /// </summary>
    private List<Table?> AddSources(IReadOnlyList<FromItem> from, Scope scope, Scope? parent, CoreQuery core)
    {
        var tables = new List<Table?>(from.Count);
        for (int i = 0; i < from.Count; i++)
        {
            FromItem item = from[i];
            if (item.Subquery is not null)
            {
                CompiledQuery inner = Compile(item.Subquery, parent);
                string alias = item.Alias ?? $"subquery{i}";
                foreach (string name in inner.ColumnNames)
                    scope.Add(alias, name, Affinity.None, i);
                core.Sources.Add(new JoinSource(alias, inner.Run, inner.ColumnNames.Count, item.Join));
                tables.Add(null);
                continue;
            }
            Table table = _catalog.RequireTable(item.Table!, m => _binder.Error(item.Offset, m));
            _tables.Add(table);
            string source = item.Alias ?? table.Name;
            if (item.Alias is not null && scope.HasSource(source))
                throw _binder.Error(item.Offset, $"The alias '{source}' is used twice.");
            foreach (Column column in table.Schema.Columns)
                scope.Add(source, column.Name, TypeMapping.AffinityOf(column.Type), i);
            string described = item.Alias is null ? table.Name : $"{table.Name} AS {item.Alias}";
            core.Sources.Add(new JoinSource(described, RowsOf(table.Schema), table.Schema.Columns.Count, item.Join, table.Schema));
            tables.Add(table);
        }
        return tables;
    }

    /// <summary>
    /// Every row of the table <paramref name="schema"/> describes, as the running statement's transaction holds it.
    /// Made here, not in <see cref="AddSources"/>: a lambda there shares its closure with the ones that capture the
    /// compiler, whose catalog refers to a transaction, and the plan would keep it.
    /// </summary>
    private static Func<Frame?, Execution.ExecutionContext, List<SqlValue[]>> RowsOf(TableSchema schema) =>
        (_, context) => context.TableRows(schema, withRowId: false);

    private void BindJoinConditions(IReadOnlyList<FromItem> from, Scope scope, CoreQuery core, AccessPlanner access, List<(Evaluator, bool[])> conditionReads)
    {
        for (int i = 0; i < from.Count; i++)
        {
            FromItem item = from[i];
            JoinSource? left = item.Join == JoinKind.Left ? core.Sources[i] : null;
            if (item.On is not null)
                PlaceConditions(item.On, scope, core, left, access, conditionReads);
            foreach (string column in item.Using ?? [])
            {
                ScopeColumn leftColumn = scope.Columns.FirstOrDefault(c => c.SourceIndex < i && string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))
                    ?? throw _binder.Error(item.Offset, $"Cannot join using column {column}: it is not on the left.");
                ScopeColumn rightColumn = scope.Columns.FirstOrDefault(c => c.SourceIndex == i && string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))
                    ?? throw _binder.Error(item.Offset, $"Cannot join using column {column}: it is not on the right.");
                int l = leftColumn.Ordinal, r = rightColumn.Ordinal;
                scope.Read(l);
                scope.Read(r);
                Evaluator equal = f => SqlComparison.Compare(f.Row[l], leftColumn.Affinity, f.Row[r], rightColumn.Affinity) == 0 ? SqlValue.FromInteger(1) : SqlValue.FromInteger(0);
                access.NoteJoinKey(new Bound(f => f.Row[r], rightColumn.Affinity), Scope.Bit(i), new Bound(f => f.Row[l], leftColumn.Affinity), Scope.Bit(leftColumn.SourceIndex), left is null ? -1 : i);
                if (left is not null)
                {
                    left.MatchConditions.Add(equal);
                    access.NoteLeftJoinReads(i, Scope.Bit(leftColumn.SourceIndex));
                    continue;
                }
                core.Sources[i].Filters.Add(equal);
                access.Placed(equal, Scope.Bit(leftColumn.SourceIndex) | Scope.Bit(i));
            }
        }
    }

    /// <summary>Splits a condition at its ANDs and puts each part where it can first be checked.</summary>
    /// <summary>
    /// Binds each part of <paramref name="condition"/> and places it where it is checked. The columns a part reads go
    /// to <paramref name="conditionReads"/> instead of <paramref name="scope"/>, which counts them once the access
    /// planner has chosen the reads (and dropped the parts they guarantee).
    /// </summary>
    private void PlaceConditions(SqlExpr condition, Scope scope, CoreQuery core, JoinSource? leftJoin, AccessPlanner access, List<(Evaluator, bool[])> conditionReads)
    {
        if (condition is BinaryExpr { Operator: "AND" } and)
        {
            PlaceConditions(and.Left, scope, core, leftJoin, access, conditionReads);
            PlaceConditions(and.Right, scope, core, leftJoin, access, conditionReads);
            return;
        }
        bool[] readBefore = scope.ReadSoFar();
        scope.ResetReads(new bool[readBefore.Length]);
        if (leftJoin is null)
            access.Note(condition, scope, core);
        scope.ResetUse();
        Evaluator bound = _binder.Bind(condition, scope).Evaluate;
        conditionReads.Add((bound, scope.ReadSoFar()));
        scope.ResetReads(readBefore);
        if (leftJoin is not null)
        {
            leftJoin.MatchConditions.Add(bound);
            access.NoteLeftJoinReads(core.Sources.IndexOf(leftJoin), scope.SourcesUsed);
        }
        else if (core.Sources.Count > 0)
        {
            core.Sources[Math.Max(scope.HighestSourceUsed, 0)].Filters.Add(bound);
            access.Placed(bound, scope.SourcesUsed);
        }
        else
            core.ConstantFilters.Add(bound);
        access.NoteJoinKey(condition, scope, leftJoin is null ? -1 : core.Sources.IndexOf(leftJoin));
    }

    private Bound BindGroupTerm(SqlExpr term, IReadOnlyList<ResultColumn> columns, Scope scope)
    {
        if (term is LiteralExpr { Value.Kind: SqlValueKind.Integer } literal)
        {
            long position = literal.Value.Integer;
            if (position < 1 || position > columns.Count || columns[(int)position - 1].Expression is null)
                throw _binder.Error(term.Offset, $"GROUP BY term out of range: {position}.");
            return _binder.Bind(columns[(int)position - 1].Expression!, scope);
        }
        return _binder.Bind(term, scope);
    }

    private (List<string>, List<Affinity>) BindOutputs(IReadOnlyList<ResultColumn> columns, Scope scope, CoreQuery core)
    {
        var names = new List<string>();
        var affinities = new List<Affinity>();
        foreach (ResultColumn column in columns)
        {
            if (column.Star)
            {
                bool any = false;
                foreach (ScopeColumn source in scope.Columns)
                {
                    if (column.StarTable is not null && !string.Equals(source.Source, column.StarTable, StringComparison.OrdinalIgnoreCase))
                        continue;
                    int ordinal = source.Ordinal;
                    scope.Read(ordinal);
                    core.Outputs.Add(new Bound(f => f.Row[ordinal], source.Affinity, ordinal));
                    names.Add(source.Name);
                    affinities.Add(source.Affinity);
                    any = true;
                }
                if (!any)
                    throw new SqlException(column.StarTable is null ? "SELECT * needs a FROM clause." : $"No such table: {column.StarTable}.");
                continue;
            }
            Bound bound = _binder.Bind(column.Expression!, scope);
            core.Outputs.Add(bound);
            names.Add(column.Alias ?? (column.Expression is ColumnExpr c ? c.Column : column.Text));
            affinities.Add(bound.Affinity);
        }
        return (names, affinities);
    }

    /// <summary>
    /// The result column an ORDER BY term names: a position (1-based in SQL), or an alias; for a compound query also a
    /// result column's name. -1 when the term is an expression to evaluate.
    /// </summary>
    private int OutputPosition(SqlExpr term, List<string> names, bool aliasesOnly, IReadOnlyList<ResultColumn>? columns = null)
    {
        if (term is LiteralExpr { Value.Kind: SqlValueKind.Integer } literal)
        {
            long position = literal.Value.Integer;
            if (position < 1 || position > names.Count)
                throw _binder.Error(term.Offset, $"ORDER BY term out of range: {position}; there are {names.Count} result columns.");
            return (int)position - 1;
        }
        if (term is not ColumnExpr { Table: null } column)
            return -1;
        for (int i = 0; i < names.Count; i++)
        {
            bool isAlias = columns is null || (i < columns.Count && columns[i].Alias is not null);
            if ((!aliasesOnly || isAlias) && string.Equals(names[i], column.Column, StringComparison.OrdinalIgnoreCase))
                return i;
        }
        return -1;
    }
}
