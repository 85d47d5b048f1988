using PageDb.Records;
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
    private readonly SqlCatalog _catalog;
    private string _sql;
    private QueryCompiler? _compiler;
    private readonly ExecutionContext _context;

    /// <summary>A runner for statements of <paramref name="sql"/> in <paramref name="transaction"/>.</summary>
    public StatementRunner(string sql, ReadTransaction transaction, SqlParameters parameters)
    {
        _catalog = new SqlCatalog(transaction);
        _sql = sql;
        _context = new ExecutionContext(transaction, parameters);
    }

    /// <summary>
    /// Starts the runner again, as a new one for statements of <paramref name="sql"/> in <paramref name="transaction"/>
    /// would: a session's readers run in the runner the previous one gave back when it was disposed
    /// (<see cref="SqlSession.ExecuteReader"/>), so a prepared query run again and again makes no new runner, catalog or
    /// execution context. Only once nothing of the previous statement runs any more.
    /// </summary>
    public void Reuse(string sql, ReadTransaction transaction, SqlParameters parameters)
    {
        (_sql, _compiler) = (sql, null);
        _catalog.Reuse(transaction);
        _context.Reuse(transaction, parameters);
    }

    /// <summary>
    /// Runs <paramref name="statement"/>; a query reuses the plan in <paramref name="plans"/> when it still fits, and an
    /// INSERT the table it opened before in this transaction when <paramref name="opened"/> (the transaction's) has it.
    /// </summary>
    public SqlResult Run(SqlStatement statement, PlanCache? plans = null, InsertTargets? opened = null) => statement switch
    {
        SelectStatement select => Query(select, plans),
        ExplainStatement { Statement: SelectStatement select } => Explain(select),
        CreateTableStatement create => CreateTable(create),
        CreateIndexStatement create => CreateIndex(create),
        DropStatement drop => Drop(drop),
        AnalyzeStatement analyze => Analyze(analyze),
        InsertStatement insert => Insert(insert, plans, opened),
        UpdateStatement update => Update(update),
        DeleteStatement delete => Delete(delete),
        _ => throw Error(statement.Offset, "This statement is not supported here."),
    };

    /// <summary>The transaction the statements run in: the execution context's, the one place <see cref="Reuse"/> changes it.</summary>
    private ReadTransaction Transaction => _context.Transaction;

    /// <summary>The compiler, made on first use: a query whose cached plan still fits needs none.</summary>
    private QueryCompiler Compiler => _compiler ??= new QueryCompiler(_catalog, _sql);

    private WriteTransaction Writable => (WriteTransaction)Transaction;

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
        if (plans is null || !plans.TryGet(_catalog, out CompiledQuery? query))
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
        StatisticsStore.Forget(Transaction, table.Name);
        return SqlResult.Changed(-1);
    }

    private SqlResult Analyze(AnalyzeStatement analyze)
    {
        if (analyze.Table is { } name)
        {
            StatisticsStore.Analyze(Writable, _catalog.RequireTable(name, m => Error(analyze.Offset, m)));
            return SqlResult.Changed(-1);
        }
        foreach (string table in StatisticsStore.UserTableNames(Transaction).ToList())
            StatisticsStore.Analyze(Writable, Transaction.GetTable(table));
        return SqlResult.Changed(-1);
    }

    /// <summary>
    /// Inserts the statement's rows. <c>VALUES</c> rows are bound once per prepared statement (<see cref="CompiledInsert"/>)
    /// and the table object is reused by later runs in the same transaction when it keeps them (<paramref name="opened"/>).
    /// A row that fails (a constraint, a type) undoes the rows the statement inserted before it, so a failed statement
    /// changes nothing, in a transaction too.
    /// </summary>
    private SqlResult Insert(InsertStatement insert, PlanCache? plans, InsertTargets? opened)
    {
        if (insert.Query is not null)
        {
            return InsertRows(insert, OpenTarget(insert), Compiler.Compile(insert.Query, null).Run(null, _context));
        }
        CompiledInsert compiled = plans?.Insert ?? CompileValues(insert, plans);
        CompiledInsert.Target? target = opened?.For(compiled, Transaction.SchemaVersion);
        if (target is null)
        {
            target = OpenTarget(insert);
            opened?.Remember(compiled, target);
        }
        var frame = new Frame(_context, [], null);
        var rows = new SqlValue[compiled.Rows.Length][];
        for (int r = 0; r < rows.Length; r++)
        {
            Evaluator[] row = compiled.Rows[r];
            var values = new SqlValue[row.Length];
            for (int i = 0; i < values.Length; i++)
                values[i] = row[i](frame);
            rows[r] = values;
        }
        return InsertRows(insert, target, rows);
    }

    /// <summary>Binds the value expressions of <paramref name="insert"/>, keeping them in <paramref name="plans"/> when they read no table.</summary>
    private CompiledInsert CompileValues(InsertStatement insert, PlanCache? plans)
    {
        var scope = new Scope(null, new Correlation());
        var compiled = new CompiledInsert([.. insert.Rows!.Select(row => row.Select(e => Compiler.Binder.Bind(e, scope).Evaluate).ToArray())]);
        if (plans is not null && Compiler.TablesUsed.Count == 0)
            plans.Insert = compiled;
        return compiled;
    }

    /// <summary>The table <paramref name="insert"/> writes, opened in this transaction, with the ordinal of each named column.</summary>
    private CompiledInsert.Target OpenTarget(InsertStatement insert)
    {
        Table table = _catalog.RequireTable(insert.Table, m => Error(insert.Offset, m));
        int[] ordinals = insert.Columns is null
            ? [.. Enumerable.Range(0, table.Schema.Columns.Count)]
            : [.. insert.Columns.Select(n => OrdinalOf(table, n, insert.Offset))];
        return new CompiledInsert.Target(table, Transaction.SchemaVersion, ordinals);
    }

    private SqlResult InsertRows(InsertStatement insert, CompiledInsert.Target target, IReadOnlyList<SqlValue[]> rows)
    {
        Table table = target.Table;
        int[] ordinals = target.Ordinals;
        var autoKey = new AutoKey(table);
        // Values given for every column in order are the row as they are (they are this statement's own arrays).
        SqlValue[]? full = target.AllInOrder ? null : new SqlValue[table.Schema.Columns.Count];
        List<(Row Key, Row? Old)>? written = rows.Count > 1 ? [] : null;
        try
        {
            for (int r = 0; r < rows.Count; r++)
            {
                SqlValue[] values = rows[r];
                if (values.Length != ordinals.Length)
                    throw Error(insert.Offset, $"Table {table.Name} has {ordinals.Length} columns but {values.Length} values were supplied.");
                if (full is not null)
                {
                    Array.Clear(full);
                    for (int i = 0; i < ordinals.Length; i++)
                        full[ordinals[i]] = values[i];
                }
                autoKey.Fill(full ?? values);
                Row row = StoredValues.ToRow(table.Schema, full ?? values);
                if (insert.Replace)
                    Upsert(table, row, written);
                else
                    Insert(table, row, written);
            }
        }
        catch when (written is { Count: > 0 })
        {
            Undo(table, written);
            throw;
        }
        _context.ForgetTableRows();
        return SqlResult.Changed(rows.Count);
    }

    /// <summary>Inserts <paramref name="row"/>, noting its key in <paramref name="written"/> (when kept) for <see cref="Undo"/>.</summary>
    private static void Insert(Table table, Row row, List<(Row Key, Row? Old)>? written)
    {
        table.Insert(row);
        written?.Add((table.Schema.HasRowId ? Row.Of(table.LastInsertedRowId) : KeyOf(table, row), null));
    }

    /// <summary>Inserts or replaces <paramref name="row"/>, noting its key and the row it replaced in <paramref name="written"/> (when kept).</summary>
    private static void Upsert(Table table, Row row, List<(Row Key, Row? Old)>? written)
    {
        if (written is null || table.Schema.HasRowId)
        {
            Insert(table, row, written);
            return;
        }
        Row key = KeyOf(table, row);
        Row? old = table.Get(key);
        table.Upsert(row);
        written.Add((key, old));
    }

    /// <summary>Takes back the rows a failed statement wrote, newest first, restoring the rows they replaced.</summary>
    private static void Undo(Table table, List<(Row Key, Row? Old)> written)
    {
        for (int i = written.Count - 1; i >= 0; i--)
        {
            (Row key, Row? old) = written[i];
            table.Delete(key);
            if (old is not null)
                table.Insert(old);
        }
    }

    /// <summary>The primary key values of a stored row.</summary>
    private static Row KeyOf(Table table, Row row)
    {
        int[] ordinals = table.Schema.PrimaryKeyOrdinals;
        var key = new Value[ordinals.Length];
        for (int i = 0; i < key.Length; i++)
            key[i] = row.GetValue(ordinals[i]);
        return new Row(key);
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
        foreach (SqlValue[] row in _context.TableRows(table.Schema, withRowId: true))
        {
            var frame = new Frame(_context, row, null);
            if (where is not null && where(frame).ToTruth() != true)
                continue;
            SqlValue[] updated = row[..table.Schema.Columns.Count];
            foreach ((int ordinal, Evaluator value) in assignments)
                updated[ordinal] = value(frame);
            changes.Add((KeyOf(table, row), StoredValues.ToRow(table.Schema, updated)));
        }
        ApplyUpdates(table, changes);
        _context.ForgetTableRows();
        return SqlResult.Changed(changes.Count);
    }

    /// <summary>
    /// Replaces each row of <paramref name="changes"/>; when one fails (a key or unique value taken), puts back the rows
    /// replaced before it, newest first, so a failed UPDATE changes nothing, in a transaction too.
    /// </summary>
    private static void ApplyUpdates(Table table, List<(Row Key, Row Row)> changes)
    {
        List<(Row NewKey, Row Old)>? applied = changes.Count > 1 ? [] : null;
        try
        {
            foreach ((Row key, Row row) in changes)
            {
                Row? old = applied is null ? null : table.Get(key);
                table.Update(key, row);
                if (old is not null)
                    applied!.Add((table.Schema.HasRowId ? key : KeyOf(table, row), old));
            }
        }
        catch when (applied is { Count: > 0 })
        {
            for (int i = applied.Count - 1; i >= 0; i--)
                table.Update(applied[i].NewKey, applied[i].Old);
            throw;
        }
    }

    private SqlResult Delete(DeleteStatement delete)
    {
        Table table = _catalog.RequireTable(delete.Table, m => Error(delete.Offset, m));
        Scope scope = TableScope(table);
        Evaluator? where = delete.Where is null ? null : Compiler.Binder.Bind(delete.Where, scope).Evaluate;
        var keys = new List<Row>();
        foreach (SqlValue[] row in _context.TableRows(table.Schema, withRowId: true))
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
