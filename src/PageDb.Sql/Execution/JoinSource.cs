using PageDb.Sql.Binding;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// One FROM item of a compiled query: where its rows come from, how wide they are, how it joins (a LEFT join keeps a
/// row of NULLs when nothing matches), and the conditions checked once it is joined: its ON condition (which decides
/// a match) and the WHERE conditions whose highest FROM item it is.
/// </summary>
internal sealed class JoinSource(string name, Func<Frame?, ExecutionContext, List<SqlValue[]>> rows, int width, JoinKind kind, TableSchema? schema = null)
{
    /// <summary>The rows of the item, given the enclosing query's frame.</summary>
    public Func<Frame?, ExecutionContext, List<SqlValue[]>> Rows { get; } = rows;

    /// <summary>How EXPLAIN names the item: its table and alias, or its subquery's alias.</summary>
    public string Name { get; } = name;

    /// <summary>
    /// The schema of the table read (which a run opens by its name in its own transaction), or null for a subquery. Not
    /// the table object the query was compiled with: that one refers to its transaction, which a cached plan would keep.
    /// </summary>
    public TableSchema? Schema { get; } = schema;

    /// <summary>The number of columns.</summary>
    public int Width { get; } = width;

    /// <summary>How the item joins the ones before it.</summary>
    public JoinKind Kind { get; } = kind;

    /// <summary>A read by the primary key or an index that can replace the scan, set by the compiler when WHERE allows one.</summary>
    public TableAccess? Access { get; set; }

    /// <summary>
    /// A read of the whole table that streams its rows, decoding only the columns the query reads: set by the compiler
    /// for a table with no <see cref="Access"/>, and used where the table's rows are read once (the outermost item of
    /// a query that no enclosing query runs again); elsewhere the statement's copy of the table is joined.
    /// </summary>
    public TableAccess? Scan { get; set; }

    /// <summary>
    /// The rows to join: those of the key or index read when there is one and it applies, else all of them.
    /// <paramref name="frame"/>'s row is the row of the items joined so far, which a join lookup reads, and its outer
    /// frame the enclosing query's. A key read may produce its rows as they are enumerated (see
    /// <see cref="TableAccess.TryRead"/>), all in <paramref name="into"/> (<see cref="Width"/> + 1 long) when the
    /// caller is done with each row before it asks for the next; so does <see cref="Scan"/>, asked for with into at
    /// the top level.
    /// </summary>
    public IEnumerable<SqlValue[]> Read(Frame frame, SqlValue[]? into)
    {
        if (Access is not null)
            return Access.TryRead(frame, into) ?? Access.InReadOrder(Rows(frame.Outer, frame.Context), frame);
        if (Scan is not null && into is not null && frame.Outer is null)
            return Scan.TryRead(frame, into)!; // a read without conditions always applies
        return Rows(frame.Outer, frame.Context);
    }

    /// <summary>
    /// The equalities with items joined before it by which the item is joined through a hash table
    /// (<see cref="HashJoin"/>), set by the planner once the join order is known; empty for a nested loop.
    /// </summary>
    public JoinKey[] HashKeys { get; set; } = [];

    /// <summary>Conditions that decide whether a row of a LEFT-joined item matches.</summary>
    public List<Evaluator> MatchConditions { get; } = [];

    /// <summary>Conditions checked on each joined row (after NULL padding for a LEFT join).</summary>
    public List<Evaluator> Filters { get; } = [];

    /// <summary>One line of EXPLAIN: how the item is read and joined, and how many conditions are checked there.</summary>
    public string Explain(bool first)
    {
        string how = Schema is not null ? "SCAN" : "SUBQUERY";
        string join = first ? "" : Kind == JoinKind.Left ? "LEFT JOIN " : "JOIN ";
        int conditions = MatchConditions.Count + Filters.Count;
        string read = Access is null ? $"{how} {Name}" : $"{(Access.IsFullIndex ? "SCAN" : "SEARCH")} {Name} {Access.Describe()}";
        // A join lookup names only its key read: the hash table it may switch to is the run's choice (see HashJoin).
        if (HashKeys.Length > 0 && Access is not { PerJoinedRow: true })
            read += " INTO " + HashJoin.Describe(HashKeys);
        return $"{join}{read}" + (conditions > 0 ? $" (checking {conditions} condition{(conditions == 1 ? "" : "s")})" : "");
    }
}
