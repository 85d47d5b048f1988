using PageDb.Sql.Binding;
using PageDb.Sql.Execution;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql;

/// <summary>
/// Runs SQL against a <see cref="PageDatabase"/>. Outside BEGIN ... COMMIT each statement runs in its own transaction
/// (a read transaction for a query, a write transaction otherwise) and a statement that fails changes nothing. Inside
/// an explicit transaction, statements share one write transaction; a failed statement leaves the changes it made
/// before failing in that transaction, and ROLLBACK discards them all. Not thread-safe: use one session per thread.
/// </summary>
public sealed class SqlSession : IDisposable
{
    private const int CachedStatements = 64;

    private readonly PageDatabase _database;
    private readonly Dictionary<string, PreparedStatement> _prepared = new(StringComparer.Ordinal);
    private readonly HashSet<SqlRowReader> _readers = [];
    private WriteTransaction? _transaction;
    // The tables the INSERTs run in _transaction opened, made on the first and dropped when the transaction ends (see
    // TakeTransaction, Dispose): null whenever _transaction is.
    private InsertTargets? _insertTargets;
    // The runner of the last disposed reader, for the next reader to start again (see StatementRunner.Reuse); null
    // while none is idle. A reader's rows run in its runner until it is disposed, so an open reader keeps its own.
    private StatementRunner? _idleRunner;

    /// <summary>A session on <paramref name="database"/>, which it does not own.</summary>
    public SqlSession(PageDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>True between BEGIN and COMMIT or ROLLBACK.</summary>
    public bool InTransaction => _transaction is not null;

    /// <summary>Parses <paramref name="sql"/> once for repeated runs.</summary>
    /// <exception cref="SqlException">The text is not valid SQL.</exception>
    public static PreparedStatement Prepare(string sql) => new(sql);

    /// <summary>Runs every statement of <paramref name="sql"/>; returns the last one's result.</summary>
    /// <exception cref="SqlException">Bad SQL, an unknown name, a type error or a missing parameter.</exception>
    /// <exception cref="ConstraintViolationException">A duplicate key or unique value, or a NULL in a NOT NULL column.</exception>
    public SqlResult Execute(string sql, SqlParameters? parameters = null) => Execute(PrepareCached(sql), parameters);

    /// <summary>
    /// The prepared statement for <paramref name="sql"/> from the session's cache of recent texts (parsed on first
    /// use), so that running the same text again skips parsing and, for a query, compiling.
    /// </summary>
    /// <exception cref="SqlException">The text is not valid SQL.</exception>
    public PreparedStatement PrepareCached(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (_prepared.TryGetValue(sql, out PreparedStatement? cached))
            return cached;
        PreparedStatement statement = Prepare(sql);
        if (_prepared.Count == CachedStatements)
            _prepared.Clear();
        _prepared[sql] = statement;
        return statement;
    }

    /// <summary>Runs every statement of <paramref name="statement"/>; returns the last one's result.</summary>
    /// <exception cref="SqlException">An unknown name, a type error or a missing parameter.</exception>
    /// <exception cref="ConstraintViolationException">A duplicate key or unique value, or a NULL in a NOT NULL column.</exception>
    public SqlResult Execute(PreparedStatement statement, SqlParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(statement);
        SqlResult result = SqlResult.Changed(-1);
        for (int i = 0; i < statement.Statements.Count; i++)
            result = Run(statement.Sql, statement.Statements[i], statement.Plans[i], parameters ?? SqlParameters.Empty);
        return result;
    }

    /// <summary>
    /// As <see cref="Execute(PreparedStatement, SqlParameters?)"/>, awaiting without blocking a thread where a statement
    /// would otherwise wait: for the writer slot (an autocommit change, <c>BEGIN</c>) and for the commit's durability (an
    /// autocommit change, <c>COMMIT</c>). The statements themselves run on the calling thread. Cancelling before a
    /// statement's writer slot is granted, or before its commit starts, stops there: that statement changes nothing
    /// (a cancelled <c>COMMIT</c> leaves the transaction open), and the statements before it keep their effects.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before a wait ended.</exception>
    /// <exception cref="SqlException">An unknown name, a type error or a missing parameter.</exception>
    /// <exception cref="ConstraintViolationException">A duplicate key or unique value, or a NULL in a NOT NULL column.</exception>
    public async Task<SqlResult> ExecuteAsync(PreparedStatement statement, SqlParameters? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        SqlResult result = SqlResult.Changed(-1);
        for (int i = 0; i < statement.Statements.Count; i++)
            result = await RunAsync(statement.Sql, statement.Statements[i], statement.Plans[i], parameters ?? SqlParameters.Empty, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Runs every statement of <paramref name="statement"/> and returns a reader over the last one's rows. When the last
    /// statement is a query its rows are not computed yet: <see cref="SqlRowReader.Read"/> produces them one at a time
    /// (see <see cref="SqlRowReader"/> for the transaction it reads and how long it holds it). Dispose the reader.
    /// </summary>
    /// <exception cref="SqlException">An unknown name, a type error or a missing parameter.</exception>
    /// <exception cref="ConstraintViolationException">A duplicate key or unique value, or a NULL in a NOT NULL column.</exception>
    public SqlRowReader ExecuteReader(PreparedStatement statement, SqlParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(statement);
        int count = statement.Statements.Count;
        if (count == 0 || statement.Statements[^1] is not SelectStatement select)
            return SqlRowReader.Of(Execute(statement, parameters));
        parameters ??= SqlParameters.Empty;
        for (int i = 0; i < count - 1; i++)
            Run(statement.Sql, statement.Statements[i], statement.Plans[i], parameters);
        return OpenReader(statement, select, parameters);
    }

    /// <summary>
    /// As <see cref="ExecuteReader"/>, running the statements before a final query, or a final statement that is not
    /// one, as <see cref="ExecuteAsync"/> does. A query itself never waits for the writer slot: it reads a snapshot.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before a wait ended.</exception>
    /// <exception cref="SqlException">An unknown name, a type error or a missing parameter.</exception>
    /// <exception cref="ConstraintViolationException">A duplicate key or unique value, or a NULL in a NOT NULL column.</exception>
    public async Task<SqlRowReader> ExecuteReaderAsync(PreparedStatement statement, SqlParameters? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        int count = statement.Statements.Count;
        if (count == 0 || statement.Statements[^1] is not SelectStatement select)
            return SqlRowReader.Of(await ExecuteAsync(statement, parameters, cancellationToken).ConfigureAwait(false));
        parameters ??= SqlParameters.Empty;
        for (int i = 0; i < count - 1; i++)
            await RunAsync(statement.Sql, statement.Statements[i], statement.Plans[i], parameters, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return OpenReader(statement, select, parameters);
    }

    /// <summary>A reader over the rows of <paramref name="select"/>, the last statement of <paramref name="statement"/>.</summary>
    private SqlRowReader OpenReader(PreparedStatement statement, SelectStatement select, SqlParameters parameters)
    {
        ReadTransaction? snapshot = _transaction is null ? _database.BeginRead() : null;
        try
        {
            StatementRunner runner = Runner(statement.Sql, _transaction ?? snapshot!, parameters);
            IEnumerable<SqlValue[]> rows = runner.Stream(select, statement.Plans[^1], out IReadOnlyList<string> columns, reuseRows: true);
            var reader = new SqlRowReader(this, statement.Sql, select.Offset, columns, rows.GetEnumerator(), -1, snapshot, runner);
            _readers.Add(reader);
            return reader;
        }
        catch (ArgumentException e)
        {
            snapshot?.Dispose();
            throw SourcePosition.Error(statement.Sql, select.Offset, e.Message);
        }
        catch
        {
            snapshot?.Dispose();
            throw;
        }
    }

    /// <summary>Disposes the open readers and rolls back an open transaction.</summary>
    public void Dispose()
    {
        foreach (SqlRowReader reader in _readers.ToList())
            reader.Dispose();
        _transaction?.Dispose();
        (_transaction, _insertTargets) = (null, null);
    }

    /// <summary>A runner for a reader: the idle one started again, else a new one.</summary>
    private StatementRunner Runner(string sql, ReadTransaction transaction, SqlParameters parameters)
    {
        StatementRunner? idle = _idleRunner;
        if (idle is null)
            return new StatementRunner(sql, transaction, parameters);
        _idleRunner = null;
        idle.Reuse(sql, transaction, parameters);
        return idle;
    }

    /// <summary>Forgets a disposed reader, and keeps its <paramref name="runner"/>, which nothing runs in any more, for the next reader.</summary>
    internal void Forget(SqlRowReader reader, StatementRunner? runner)
    {
        _readers.Remove(reader);
        if (runner is not null)
            _idleRunner = runner;
    }

    /// <summary>Ends the readers that read the transaction, which is ending.</summary>
    private void EndTransactionReaders(string action)
    {
        foreach (SqlRowReader reader in _readers.Where(r => r.InSessionTransaction).ToList())
            reader.End($"The transaction this reader read ended ({action}) while it was open.");
    }

    private SqlResult Run(string sql, SqlStatement statement, PlanCache plans, SqlParameters parameters)
    {
        if (statement is TransactionStatement control)
            return Control(sql, control);
        if (!NeedsWriter(statement))
            return RunWithoutWaiting(sql, statement, plans, parameters);
        using WriteTransaction write = _database.BeginWrite();
        SqlResult result = RunIn(write, sql, statement, plans, parameters);
        write.Commit();
        return result;
    }

    /// <summary>As <see cref="Run"/>, awaiting the writer slot and the commit (see <see cref="ExecuteAsync"/>).</summary>
    private async Task<SqlResult> RunAsync(string sql, SqlStatement statement, PlanCache plans, SqlParameters parameters, CancellationToken cancellationToken)
    {
        if (statement is TransactionStatement control)
            return await ControlAsync(sql, control, cancellationToken).ConfigureAwait(false);
        if (!NeedsWriter(statement))
        {
            cancellationToken.ThrowIfCancellationRequested();
            return RunWithoutWaiting(sql, statement, plans, parameters);
        }
        WriteTransaction write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            SqlResult result = RunIn(write, sql, statement, plans, parameters);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    /// <summary>Whether the statement needs a write transaction of its own: a change outside BEGIN ... COMMIT.</summary>
    private bool NeedsWriter(SqlStatement statement) => _transaction is null && statement is not (SelectStatement or ExplainStatement);

    /// <summary>A statement in the open transaction, or a query in a read transaction of its own.</summary>
    private SqlResult RunWithoutWaiting(string sql, SqlStatement statement, PlanCache plans, SqlParameters parameters)
    {
        if (_transaction is not null)
            return RunIn(_transaction, sql, statement, plans, parameters, _insertTargets ??= new InsertTargets());
        using ReadTransaction read = _database.BeginRead();
        return RunIn(read, sql, statement, plans, parameters);
    }

    /// <summary>Runs <paramref name="statement"/> in <paramref name="transaction"/>, whose INSERTs keep the tables they open in <paramref name="opened"/>.</summary>
    private static SqlResult RunIn(ReadTransaction transaction, string sql, SqlStatement statement, PlanCache plans, SqlParameters parameters, InsertTargets? opened = null)
    {
        try
        {
            return new StatementRunner(sql, transaction, parameters).Run(statement, plans, opened);
        }
        catch (ArgumentException e)
        {
            throw SourcePosition.Error(sql, statement.Offset, e.Message);
        }
    }

    private SqlResult Control(string sql, TransactionStatement control)
    {
        switch (control.Action)
        {
            case TransactionAction.Begin:
                ThrowIfInTransaction(sql, control);
                _transaction = _database.BeginWrite();
                break;
            case TransactionAction.Commit:
                using (WriteTransaction commit = TakeTransaction(sql, control, "COMMIT"))
                    commit.Commit();
                break;
            default:
                TakeTransaction(sql, control, "ROLLBACK").Dispose();
                break;
        }
        return SqlResult.Changed(-1);
    }

    /// <summary>As <see cref="Control"/>, awaiting the writer slot for BEGIN and the durability of COMMIT.</summary>
    private async Task<SqlResult> ControlAsync(string sql, TransactionStatement control, CancellationToken cancellationToken)
    {
        switch (control.Action)
        {
            case TransactionAction.Begin:
                ThrowIfInTransaction(sql, control);
                _transaction = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
                return SqlResult.Changed(-1);
            case TransactionAction.Commit:
                cancellationToken.ThrowIfCancellationRequested();
                WriteTransaction commit = TakeTransaction(sql, control, "COMMIT");
                await using (commit.ConfigureAwait(false))
                    await commit.CommitAsync(CancellationToken.None).ConfigureAwait(false); // it has started: see ExecuteAsync
                return SqlResult.Changed(-1);
            default:
                return Control(sql, control);
        }
    }

    private void ThrowIfInTransaction(string sql, TransactionStatement control)
    {
        if (_transaction is not null)
            throw SourcePosition.Error(sql, control.Offset, "A transaction is already open.");
    }

    /// <summary>The open transaction, which COMMIT or ROLLBACK (<paramref name="action"/>) is ending, with its readers.</summary>
    private WriteTransaction TakeTransaction(string sql, TransactionStatement control, string action)
    {
        WriteTransaction transaction = _transaction ?? throw SourcePosition.Error(sql, control.Offset, "No transaction is open.");
        (_transaction, _insertTargets) = (null, null);
        EndTransactionReaders(action);
        return transaction;
    }
}
