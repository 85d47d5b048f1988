using PageDb.Sql.Values;

namespace PageDb.Sql;

/// <summary>What a statement produced: a query's columns and rows, or the number of rows a change affected.</summary>
public sealed class SqlResult
{
    internal SqlResult(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<SqlValue>> rows, long rowsAffected)
    {
        Columns = columns;
        Rows = rows;
        RowsAffected = rowsAffected;
    }

    /// <summary>The result of a statement that returns nothing and changes <paramref name="rowsAffected"/> rows.</summary>
    internal static SqlResult Changed(long rowsAffected) => rowsAffected == 1 ? OneChanged : new([], [], rowsAffected);

    // A one-row change, the result of every single-row INSERT, UPDATE or DELETE: made once (a result is immutable).
    private static readonly SqlResult OneChanged = new([], [], 1);

    /// <summary>The result columns' names; empty for a statement that is not a query.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The result rows, each with one value per column.</summary>
    public IReadOnlyList<IReadOnlyList<SqlValue>> Rows { get; }

    /// <summary>Rows inserted, updated or deleted; -1 for a query or a schema statement.</summary>
    public long RowsAffected { get; }

    /// <summary>True when the statement was a query (it has result columns).</summary>
    public bool IsQuery => Columns.Count > 0;
}
