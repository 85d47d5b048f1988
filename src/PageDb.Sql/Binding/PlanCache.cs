using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using PageDb.Engine;
using PageDb.Sql.Statistics;
using PageDb.Sql.Execution;

namespace PageDb.Sql.Binding;

/// <summary>
/// The compiled plan of one query of a <see cref="PreparedStatement"/>, kept between runs. A plan holds what it was
/// compiled against: the tables it names and, for each, a stamp of its columns, primary key, indexes and its ANALYZE
/// generation (so a fresh ANALYZE lets the planner choose again) and, for an analyzed table, the power of two its row
/// count is at (the statistics are scaled to the rows, so a table that doubled or halved is planned again). A run in a
/// later transaction reuses the plan when every one of those tables still has the same stamp; otherwise it compiles
/// again, so a schema change, or a table that is gone, is seen as a fresh statement would see it. Every run, in the
/// transaction the plan was compiled in or another, reads the tables as its own transaction opens them
/// (<see cref="Execution.ExecutionContext.Current"/>): the plan holds their schemas only.
/// Safe to share between sessions: the plan and its stamps are replaced as one object.
/// <para>
/// The plan keeps nothing of a transaction reachable: no table object (each refers to its transaction), no evaluator
/// whose closure holds the binder (whose compiler's catalog refers to one), and, of the transaction the stamps were
/// last found to fit, only the committed state it saw (<see cref="SnapshotState"/>). It used to keep the transaction it
/// was compiled in, with its tables, alive as long as the statement (<c>PlanCacheTests</c>, "keeps no transaction
/// reachable"; <c>CachedPlanDifferentialTests</c>).
/// </para>
/// </summary>
internal sealed class PlanCache
{
    private Plan? _plan;
    private int _compilations;
    private CompiledInsert? _insert;

    /// <summary>How many times the query was compiled (the first run, then once per change of its tables).</summary>
    public int Compilations => _compilations;

    /// <summary>The statement's compiled <c>INSERT ... VALUES</c>, once a run made one (see <see cref="CompiledInsert"/>).</summary>
    public CompiledInsert? Insert
    {
        get => Volatile.Read(ref _insert);
        set => Volatile.Write(ref _insert, value);
    }

    /// <summary>
    /// The cached plan when it still fits <paramref name="catalog"/>'s transaction; false when the query must be
    /// compiled (then <see cref="Add"/> the result).
    /// </summary>
    public bool TryGet(SqlCatalog catalog, [NotNullWhen(true)] out CompiledQuery? query)
    {
        query = _plan is { } plan && plan.Fits(catalog) ? plan.Query : null;
        return query is not null;
    }

    /// <summary>Caches <paramref name="query"/>, compiled in <paramref name="catalog"/>'s transaction from <paramref name="tables"/>.</summary>
    public void Add(SqlCatalog catalog, CompiledQuery query, IReadOnlyList<Table> tables)
    {
        Interlocked.Increment(ref _compilations);
        _plan = new Plan(query, catalog.Transaction.SeenState, [.. tables.Select(t => t.Name)], [.. tables.Select(t => Stamp(catalog, t))]);
    }

    /// <summary>What a plan assumed about a table: its columns with their types and nullability, its key, indexes and statistics.</summary>
    private static string Stamp(SqlCatalog catalog, Table table)
    {
        var text = new StringBuilder(table.Name).Append('(');
        foreach (Column column in table.Schema.Columns)
            text.Append(column.Name).Append(' ').Append(column.Type).Append(column.Nullable ? "," : " NOT NULL,");
        text.Append(") KEY (").AppendJoin(',', table.Schema.PrimaryKey).Append(')');
        foreach (string index in table.IndexNames)
            text.Append(" INDEX ").Append(index).Append(" (").AppendJoin(',', table.IndexColumns(index)).Append(')');
        long generation = StatisticsStore.Generation(catalog.Transaction, table.Name);
        text.Append(" ANALYZED ").Append(generation);
        if (generation > 0)
            text.Append(" SIZE ").Append(SqlCatalog.SizeClass(table));
        return text.ToString();
    }

    private sealed class Plan(CompiledQuery query, SnapshotState? compiledIn, string[] tableNames, string[] stamps)
    {
        // The committed state the stamps were last found to fit, first the one the plan was compiled in (null: a write
        // transaction's, which no other run sees). Runs in snapshots of the same commit (a prepared lookup run again and
        // again while nothing is written) skip rebuilding the stamps: they would come out the same. A value, not the
        // transaction, which the plan would keep alive; boxed, so a run on another thread reads it whole.
        private StrongBox<SnapshotState>? _fitted = Box(compiledIn);

        public CompiledQuery Query { get; } = query;

        public bool Fits(SqlCatalog catalog)
        {
            SnapshotState? seen = catalog.Transaction.SeenState;
            if (seen is not null && Volatile.Read(ref _fitted) is { } fitted && fitted.Value == seen)
                return true;
            for (int i = 0; i < tableNames.Length; i++)
            {
                if (catalog.FindTable(tableNames[i]) is not { } table || Stamp(catalog, table) != stamps[i])
                    return false;
            }
            Volatile.Write(ref _fitted, Box(seen));
            return true;
        }

        private static StrongBox<SnapshotState>? Box(SnapshotState? state) => state is { } known ? new(known) : null;
    }
}
