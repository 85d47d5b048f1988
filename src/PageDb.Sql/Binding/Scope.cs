using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>A column a scope offers: the FROM item it belongs to (its alias or table name), its name, its position in the row.</summary>
internal sealed record ScopeColumn(string Source, string Name, int Ordinal, Affinity Affinity, int SourceIndex);

/// <summary>Whether a query refers to an enclosing query's columns (then its result cannot be computed once).</summary>
internal sealed class Correlation
{
    /// <summary>True once a name resolved outside the query.</summary>
    public bool IsCorrelated { get; set; }
}

/// <summary>
/// The names visible in one SELECT core: the columns of its FROM items, side by side in one row, and the enclosing
/// query's scope for correlated references. Resolving a name records the highest FROM item it used, so the WHERE
/// clause's conditions can be checked as soon as the items they need are joined.
/// </summary>
internal sealed class Scope(Scope? parent, Correlation correlation)
{
    private readonly List<ScopeColumn> _columns = [];

    // Whether anything bound in the scope reads each column (by ordinal), so that key reads decode only those.
    private readonly List<bool> _read = [];

    /// <summary>The enclosing query's scope.</summary>
    public Scope? Parent { get; } = parent;

    /// <summary>The correlation flag of the query this scope belongs to.</summary>
    public Correlation Correlation { get; } = correlation;

    /// <summary>The columns, in row order.</summary>
    public IReadOnlyList<ScopeColumn> Columns => _columns;

    /// <summary>The highest FROM item index a resolved name used since <see cref="ResetUse"/>, or -1.</summary>
    public int HighestSourceUsed { get; private set; } = -1;

    /// <summary>The FROM items resolved names used since <see cref="ResetUse"/>, one bit per index (items past 63 share the top bit).</summary>
    public ulong SourcesUsed { get; private set; }

    /// <summary>The result columns' aliases, which names may also mean (after the FROM items' columns).</summary>
    public IReadOnlyDictionary<string, SqlExpr>? Aliases { get; set; }

    /// <summary>The aggregates found while binding an aggregate query's expressions; null where aggregates are not allowed.</summary>
    public List<AggregateCall>? Aggregates { get; set; }

    /// <summary>Adds a column of FROM item <paramref name="sourceIndex"/> named <paramref name="source"/>.</summary>
    public void Add(string source, string name, Affinity affinity, int sourceIndex)
    {
        _columns.Add(new ScopeColumn(source, name, _columns.Count, affinity, sourceIndex));
        _read.Add(false);
    }

    /// <summary>Records that an expression reads the column at <paramref name="ordinal"/> of the row.</summary>
    public void Read(int ordinal) => _read[ordinal] = true;

    /// <summary>True when a resolved name or <see cref="Read"/> used the column at <paramref name="ordinal"/>.</summary>
    public bool IsRead(int ordinal) => _read[ordinal];

    /// <summary>Which columns are read so far (by ordinal), to put back with <see cref="ResetReads"/>.</summary>
    public bool[] ReadSoFar() => [.. _read];

    /// <summary>Makes the columns read exactly those <paramref name="reads"/> marks (one per column, as <see cref="ReadSoFar"/> gives).</summary>
    public void ResetReads(bool[] reads)
    {
        for (int i = 0; i < reads.Length; i++)
            _read[i] = reads[i];
    }

    /// <summary>Records that the columns <paramref name="reads"/> marks are read too.</summary>
    public void AddReads(bool[] reads)
    {
        for (int i = 0; i < reads.Length; i++)
            _read[i] |= reads[i];
    }

    /// <summary>Forgets the use recorded so far.</summary>
    public void ResetUse()
    {
        HighestSourceUsed = -1;
        SourcesUsed = 0;
    }

    /// <summary>The bit of FROM item <paramref name="sourceIndex"/> in <see cref="SourcesUsed"/>.</summary>
    public static ulong Bit(int sourceIndex) => 1UL << Math.Min(sourceIndex, 63);

    /// <summary>Finds <paramref name="column"/> (of <paramref name="table"/> when given) here or in an enclosing scope.</summary>
    /// <returns>The column and how many scopes out it is, or null when no scope has it.</returns>
    /// <exception cref="SqlException">The name is ambiguous.</exception>
    public (ScopeColumn Column, int Depth)? Resolve(string? table, string column, Func<string, SqlException> error)
    {
        Scope? scope = this;
        int depth = 0;
        while (scope is not null)
        {
            ScopeColumn? found = scope.Find(table, column, error);
            if (found is not null)
            {
                scope.HighestSourceUsed = Math.Max(scope.HighestSourceUsed, found.SourceIndex);
                scope.SourcesUsed |= Bit(found.SourceIndex);
                scope.Read(found.Ordinal);
                MarkCorrelated(depth);
                return (found, depth);
            }
            scope = scope.Parent;
            depth++;
        }
        return null;
    }

    /// <summary>True when some FROM item is called <paramref name="source"/>.</summary>
    public bool HasSource(string source) => _columns.Exists(c => string.Equals(c.Source, source, StringComparison.OrdinalIgnoreCase));

    private ScopeColumn? Find(string? table, string column, Func<string, SqlException> error)
    {
        ScopeColumn? found = null;
        foreach (ScopeColumn candidate in _columns)
        {
            if (!string.Equals(candidate.Name, column, StringComparison.OrdinalIgnoreCase))
                continue;
            if (table is not null && !string.Equals(candidate.Source, table, StringComparison.OrdinalIgnoreCase))
                continue;
            if (found is not null)
                throw error($"Ambiguous column name '{column}'.");
            found = candidate;
        }
        return found;
    }

    private void MarkCorrelated(int depth)
    {
        Scope? scope = this;
        for (int i = 0; i < depth && scope is not null; i++)
        {
            scope.Correlation.IsCorrelated = true;
            scope = scope.Parent;
        }
    }
}
