using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>Compares rows of SQL values: equality for DISTINCT, GROUP BY and compound queries, order for sorting.</summary>
internal sealed class RowComparer : IEqualityComparer<SqlValue[]>, IComparer<SqlValue[]>
{
    /// <summary>The one instance.</summary>
    public static RowComparer Instance { get; } = new();

    /// <inheritdoc/>
    public bool Equals(SqlValue[]? x, SqlValue[]? y)
    {
        if (x is null || y is null)
            return x is null && y is null;
        for (int i = 0; i < x.Length; i++)
        {
            if (!x[i].Equals(y[i]))
                return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public int GetHashCode(SqlValue[] obj)
    {
        var hash = new HashCode();
        foreach (SqlValue value in obj)
            hash.Add(value.GetHashCode());
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public int Compare(SqlValue[]? x, SqlValue[]? y)
    {
        for (int i = 0; i < x!.Length; i++)
        {
            int order = SqlValue.Compare(x[i], y![i]);
            if (order != 0)
                return order;
        }
        return 0;
    }
}
