using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// The state of one statement's execution: its transaction, its parameter values, and the rows of each table it reads
/// (read once per statement: a statement's reads all see the table as it was before the statement changed it). A
/// session's reader runs in a context that the session's previous reader, once disposed, gave back (see
/// <see cref="Reuse"/>), so a prepared query run again and again makes no new one.
/// </summary>
internal sealed class ExecutionContext(ReadTransaction transaction, SqlParameters parameters)
{
    // Made on first use: a point query needs none of them.
    private Dictionary<string, List<SqlValue[]>>? _tableRows;
    private Dictionary<object, List<SqlValue[]>>? _uncorrelated;
    private Table? _firstTable;
    private Dictionary<string, Table>? _tables;
    // Kept across Reuse: the next query of a session reuses them (see PointRow).
    private PointRow? _pointRow;
    private Frame? _topFrame;

    /// <summary>The transaction the statement runs in.</summary>
    public ReadTransaction Transaction { get; private set; } = transaction;

    /// <summary>The statement's parameter values.</summary>
    public SqlParameters Parameters { get; private set; } = parameters;

    /// <summary>
    /// The table <paramref name="compiled"/> names, opened in this statement's transaction, once per statement: the
    /// one way a plan's reads reach a table. A plan holds the schemas of its tables (for its shape), never table objects:
    /// a cached plan was compiled in an earlier transaction, which a table object would keep alive, and even in its own
    /// transaction a table dropped and created again since (so the plan still fits it) is a new table.
    /// <see cref="Binding.PlanCache"/> keeps plans only while the tables they name keep the schema they were compiled against.
    /// </summary>
    public Table Current(TableSchema compiled)
    {
        // Most statements read one table: it needs no dictionary.
        if (_firstTable is null || _firstTable.Name == compiled.Name)
            return _firstTable ??= Transaction.GetTable(compiled.Name);
        _tables ??= new(StringComparer.Ordinal);
        if (!_tables.TryGetValue(compiled.Name, out Table? current))
        {
            current = Transaction.GetTable(compiled.Name);
            _tables[compiled.Name] = current;
        }
        return current;
    }

    /// <summary>
    /// Starts the context again for a statement in <paramref name="transaction"/> with <paramref name="parameters"/>,
    /// forgetting all the previous statement's state; only once nothing of that statement runs any more.
    /// </summary>
    public void Reuse(ReadTransaction transaction, SqlParameters parameters)
    {
        (Transaction, Parameters) = (transaction, parameters);
        (_tableRows, _uncorrelated, _firstTable, _tables) = (null, null, null, null);
    }

    /// <summary>
    /// The row holder of a top-level point read (see <see cref="Execution.PointRow"/>), made on first use and kept
    /// while the context is reused: one top-level reader runs in a context at a time.
    /// </summary>
    public PointRow PointRow => _pointRow ??= new PointRow();

    /// <summary>A frame of no row and no outer frame, for evaluating a top-level query's key values; made once.</summary>
    public Frame TopFrame => _topFrame ??= new Frame(this, [], null);

    /// <summary>Every row of <paramref name="table"/>, with the row id last when <paramref name="withRowId"/> is set.</summary>
    public List<SqlValue[]> TableRows(TableSchema table, bool withRowId)
    {
        string key = withRowId ? table.Name + "\0rowid" : table.Name;
        _tableRows ??= new(StringComparer.Ordinal);
        if (!_tableRows.TryGetValue(key, out List<SqlValue[]>? rows))
        {
            rows = StoredValues.ReadAll(Current(table), withRowId);
            _tableRows[key] = rows;
        }
        return rows;
    }

    /// <summary>Forgets the rows read, after the statement changed a table.</summary>
    public void ForgetTableRows() => _tableRows?.Clear();

    /// <summary>The rows of an uncorrelated subquery, computed once per statement.</summary>
    public List<SqlValue[]> Uncorrelated(object query, Func<List<SqlValue[]>> run)
    {
        _uncorrelated ??= new(ReferenceEqualityComparer.Instance);
        if (!_uncorrelated.TryGetValue(query, out List<SqlValue[]>? rows))
        {
            rows = run();
            _uncorrelated[query] = rows;
        }
        return rows;
    }
}
