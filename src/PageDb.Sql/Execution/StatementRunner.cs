using PageDb.Sql.Binding;
using PageDb.Sql.Statistics;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// Runs one parsed statement in a transaction: queries through <see cref="QueryCompiler"/>, schema statements on the
/// transaction's catalog, INSERT/UPDATE/DELETE through the table API. Changes read every row they need before they
/// write (so UPDATE and INSERT ... SELECT see the table as it was before the statement).
/// </summary>
internal sealed class StatementRunner
{
    private readonly ReadTransaction _transaction;
    private readonly SqlCatalog _catalog;
    private readonly string _sql;
    private QueryCompiler? _compiler;
    private readonly ExecutionContext _context;

    /// <summary>A runner for statements of <paramref name="sql"/> in <paramref name="transaction"/>.</summary>
    public StatementRunner(string sql, ReadTransaction transaction, SqlParameters parameters)
    {
        _transaction = transaction;
        _catalog = new SqlCatalog(transaction);
        _sql = sql;
        _context = new ExecutionContext(transaction, parameters);
    }

    /// <summary>Runs <paramref name="statement"/>; a query reuses the plan in <paramref name="plans"/> when it still fits.</summary>
    public SqlResult Run(SqlStatement statement, PlanCache? plans = null) => statement switch
    {
        SelectStatement select => Query(select, plans),
        ExplainStatement { Statement: SelectStatement select } => Explain(select),
        CreateTableStatement create => CreateTable(create),
        CreateIndexStatement create => CreateIndex(create),
        DropStatement drop => Drop(drop),
        AnalyzeStatement analyze => Analyze(analyze),
        InsertStatement insert => Insert(insert),
        UpdateStatement update => Update(update),
        DeleteStatement delete => Delete(delete),
        _ => throw Error(statement.Offset, "This statement is not supported here."),
    };

    /// <summary>The compiler, made on first use: a query whose cached plan still fits needs none.</summary>
    private QueryCompiler Compiler => _compiler ??= new QueryCompiler(_catalog, _sql);

    private WriteTransaction Writable => (WriteTransaction)_transaction;

    private SqlException Error(int offset, string message) => Compiler.Binder.Error(offset, message);

    private SqlResult Query(SelectStatement select, PlanCache? plans)
    {
        IEnumerable<SqlValue[]> rows = Stream(select, plans, out IReadOnlyList<string> columns);
        return new SqlResult(columns, [.. rows], -1);
    }

    /// <summary>
    /// Compiles <paramref name="select"/> (or reuses the plan in <paramref name="plans"/>) and returns its rows unread:
    /// they are produced as they are enumerated, in this runner's transaction, which must stay open until then. With
    /// <paramref name="reuseRows"/> a row may be overwritten by the next, for a caller that copies what it keeps.
    /// </summary>
    public IEnumerable<SqlValue[]> Stream(SelectStatement select, PlanCache? plans, out IReadOnlyList<string> columns, bool reuseRows = false)
    {
        if (plans is not null && plans.TryGet(_catalog, out CompiledQuery? query, out ReadTransaction? compiledIn))
            _context.PlanTransaction = compiledIn;
        else
        {
            query = Compiler.Compile(select, null);
            plans?.Add(_catalog, query, Compiler.TablesUsed);
        }
        columns = query.ColumnNames;
        return query.Stream(null, _context, reuseRows);
    }

    private SqlResult Explain(SelectStatement select)
    {
        List<string> lines = Compiler.Compile(select, null).Explain();
        return new SqlResult(["plan"], lines.ConvertAll<IReadOnlyList<SqlValue>>(l => [SqlValue.FromText(l)]), -1);
    }

    private SqlResult CreateTable(CreateTableStatement create)
    {
        if (_catalog.FindTable(create.Name) is not null)
        {
            if (create.IfNotExists)
                return SqlResult.Changed(-1);
            throw Error(create.Offset, $"Table {create.Name} already exists.");
        }
        var key = new List<string>();
        foreach (string name in create.PrimaryKey)
        {
            ColumnDefinition column = create.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw Error(create.Offset, $"The primary key names an unknown column {name}.");
            key.Add(column.Name);
        }
        var columns = create.Columns.Select(c => new Column(c.Name, TypeMapping.ColumnTypeFor(c.TypeName), !c.NotNull && !key.Contains(c.Name))).ToList();
        Table table = Writable.CreateTable(new TableSchema(create.Name, columns, key));
        for (int i = 0; i < create.UniqueKeys.Count; i++)
            table.CreateIndex($"sqlite_autoindex_{create.Name}_{i + 1}", ColumnNames(table, create.UniqueKeys[i], create.Offset), unique: true);
        return SqlResult.Changed(-1);
    }

    private List<string> ColumnNames(Table table, IReadOnlyList<string> names, int offset) =>
        names.Select(n => (SqlCatalog.FindColumn(table, n) ?? throw Error(offset, $"Table {table.Name} has no column named {n}.")).Name).ToList();

    private SqlResult CreateIndex(CreateIndexStatement create)
    {
        if (_catalog.FindIndex(create.Name) is not null)
        {
            if (create.IfNotExists)
                return SqlResult.Changed(-1);
            throw Error(create.Offset, $"Index {create.Name} already exists.");
        }
        Table table = _catalog.RequireTable(create.Table, m => Error(create.Offset, m));
        table.CreateIndex(create.Name, ColumnNames(table, create.Columns, create.Offset), create.Unique);
        return SqlResult.Changed(-1);
    }

    private SqlResult Drop(DropStatement drop)
    {
        if (drop.Index)
        {
            (Table Table, string Index)? index = _catalog.FindIndex(drop.Name);
            if (index is null)
                return drop.IfExists ? SqlResult.Changed(-1) : throw Error(drop.Offset, $"No such index: {drop.Name}.");
            index.Value.Table.DropIndex(index.Value.Index);
            return SqlResult.Changed(-1);
        }
        Table? table = _catalog.FindTable(drop.Name);
        if (table is null)
            return drop.IfExists ? SqlResult.Changed(-1) : throw Error(drop.Offset, $"No such table: {drop.Name}.");
        Writable.DropTable(table.Name);
        StatisticsStore.Forget(_transaction, table.Name);
        return SqlResult.Changed(-1);
    }

    private SqlResult Analyze(AnalyzeStatement analyze)
    {
        if (analyze.Table is { } name)
        {
            StatisticsStore.Analyze(Writable, _catalog.RequireTable(name, m => Error(analyze.Offset, m)));
            return SqlResult.Changed(-1);
        }
        foreach (string table in StatisticsStore.UserTableNames(_transaction).ToList())
            StatisticsStore.Analyze(Writable, _transaction.GetTable(table));
        return SqlResult.Changed(-1);
    }

    private SqlResult Insert(InsertStatement insert)
    {
        Table table = _catalog.RequireTable(insert.Table, m => Error(insert.Offset, m));
        IReadOnlyList<Column> columns = table.Schema.Columns;
        int[] targets = insert.Columns is null
            ? [.. Enumerable.Range(0, columns.Count)]
            : [.. insert.Columns.Select(n => OrdinalOf(table, n, insert.Offset))];
        List<SqlValue[]> rows = insert.Query is not null ? Compiler.Compile(insert.Query, null).Run(null, _context) : ValueRows(insert);
        var autoKey = new AutoKey(table);
        foreach (SqlValue[] values in rows)
        {
            if (values.Length != targets.Length)
                throw Error(insert.Offset, $"Table {table.Name} has {targets.Length} columns but {values.Length} values were supplied.");
            var full = new SqlValue[columns.Count];
            for (int i = 0; i < targets.Length; i++)
                full[targets[i]] = values[i];
            autoKey.Fill(full);
            Row row = StoredValues.ToRow(table.Schema, full);
            if (insert.Replace)
                table.Upsert(row);
            else
                table.Insert(row);
        }
        _context.ForgetTableRows();
        return SqlResult.Changed(rows.Count);
    }

    private List<SqlValue[]> ValueRows(InsertStatement insert)
    {
        var scope = new Scope(null, new Correlation());
        var frame = new Frame(_context, [], null);
        var rows = new List<SqlValue[]>(insert.Rows!.Count);
        foreach (IReadOnlyList<SqlExpr> row in insert.Rows)
            rows.Add([.. row.Select(e => Compiler.Binder.Bind(e, scope).Evaluate(frame))]);
        return rows;
    }

    private int OrdinalOf(Table table, string name, int offset)
    {
        for (int i = 0; i < table.Schema.Columns.Count; i++)
        {
            if (string.Equals(table.Schema.Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
                return i;
        }
        throw Error(offset, $"Table {table.Name} has no column named {name}.");
    }

    private SqlResult Update(UpdateStatement update)
    {
        Table table = _catalog.RequireTable(update.Table, m => Error(update.Offset, m));
        Scope scope = TableScope(table);
        Evaluator? where = update.Where is null ? null : Compiler.Binder.Bind(update.Where, scope).Evaluate;
        (int Ordinal, Evaluator Value)[] assignments =
            [.. update.Assignments.Select(a => (OrdinalOf(table, a.Column, update.Offset), Compiler.Binder.Bind(a.Value, scope).Evaluate))];
        var changes = new List<(Row Key, Row Row)>();
        foreach (SqlValue[] row in _context.TableRows(table, withRowId: true))
        {
            var frame = new Frame(_context, row, null);
            if (where is not null && where(frame).ToTruth() != true)
                continue;
            SqlValue[] updated = row[..table.Schema.Columns.Count];
            foreach ((int ordinal, Evaluator value) in assignments)
                updated[ordinal] = value(frame);
            changes.Add((KeyOf(table, row), StoredValues.ToRow(table.Schema, updated)));
        }
        foreach ((Row key, Row row) in changes)
            table.Update(key, row);
        _context.ForgetTableRows();
        return SqlResult.Changed(changes.Count);
    }

    private SqlResult Delete(DeleteStatement delete)
    {
        Table table = _catalog.RequireTable(delete.Table, m => Error(delete.Offset, m));
        Scope scope = TableScope(table);
        Evaluator? where = delete.Where is null ? null : Compiler.Binder.Bind(delete.Where, scope).Evaluate;
        var keys = new List<Row>();
        foreach (SqlValue[] row in _context.TableRows(table, withRowId: true))
        {
            if (where is null || where(new Frame(_context, row, null)).ToTruth() == true)
                keys.Add(KeyOf(table, row));
        }
        foreach (Row key in keys)
            table.Delete(key);
        _context.ForgetTableRows();
        return SqlResult.Changed(keys.Count);
    }

    private static Scope TableScope(Table table)
    {
        var scope = new Scope(null, new Correlation());
        foreach (Column column in table.Schema.Columns)
            scope.Add(table.Name, column.Name, TypeMapping.AffinityOf(column.Type), 0);
        return scope;
    }

    /// <summary>The key of a stored row read with its row id: the row id, or the primary key's values.</summary>
    private static Row KeyOf(Table table, SqlValue[] row)
    {
        if (table.Schema.HasRowId)
            return Row.Of(row[^1].Integer);
        IReadOnlyList<Column> columns = table.Schema.Columns;
        return Row.Of([.. table.Schema.PrimaryKey.Select(name =>
        {
            int ordinal = table.Schema.IndexOf(name);
            return StoredValues.ToStored(row[ordinal], columns[ordinal], table.Name);
        })]);
    }
}
