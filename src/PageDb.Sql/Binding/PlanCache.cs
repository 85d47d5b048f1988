using System.Text;
using PageDb.Sql.Statistics;
using PageDb.Sql.Execution;

namespace PageDb.Sql.Binding;

/// <summary>
/// The compiled plan of one query of a <see cref="PreparedStatement"/>, kept between runs. A plan holds what it was
/// compiled against: the tables it names and, for each, a stamp of its columns, primary key, indexes and its ANALYZE
/// generation (so a fresh ANALYZE lets the planner choose again) and, for an analyzed table, the power of two its row
/// count is at (the statistics are scaled to the rows, so a table that doubled or halved is planned again). A run in a
/// later transaction reuses the plan when every one of those tables still has the same stamp (the plan's table
/// objects are then swapped for the running transaction's by <see cref="Execution.ExecutionContext.Current"/>); otherwise it
/// compiles again, so a schema change, or a table that is gone, is seen as a fresh statement would see it.
/// Safe to share between sessions: the plan and its stamps are replaced as one object.
/// </summary>
internal sealed class PlanCache
{
    private Plan? _plan;
    private int _compilations;

    /// <summary>How many times the query was compiled (the first run, then once per change of its tables).</summary>
    public int Compilations => _compilations;

    /// <summary>
    /// The plan to run in <paramref name="catalog"/>'s transaction: the cached one when it still fits, else
    /// <paramref name="compile"/>'s; with the transaction it was compiled in (whose table objects it holds).
    /// </summary>
    public (CompiledQuery Query, ReadTransaction CompiledIn) Get(SqlCatalog catalog, Func<(CompiledQuery Query, IReadOnlyList<Table> Tables)> compile)
    {
        if (_plan is { } plan && plan.Fits(catalog))
            return (plan.Query, plan.CompiledIn);
        (CompiledQuery query, IReadOnlyList<Table> tables) = compile();
        Interlocked.Increment(ref _compilations);
        _plan = new Plan(query, catalog.Transaction, [.. tables.Select(t => t.Name)], [.. tables.Select(t => Stamp(catalog, t))]);
        return (query, catalog.Transaction);
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

    private sealed record Plan(CompiledQuery Query, ReadTransaction CompiledIn, string[] TableNames, string[] Stamps)
    {
        public bool Fits(SqlCatalog catalog)
        {
            for (int i = 0; i < TableNames.Length; i++)
            {
                if (catalog.FindTable(TableNames[i]) is not { } table || Stamp(catalog, table) != Stamps[i])
                    return false;
            }
            return true;
        }
    }
}
