using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>One ORDER BY term's direction and NULL placement (NULLs sort first ascending and last descending unless said).</summary>
internal sealed record OrderKey(bool Descending, bool? NullsFirst)
{
    /// <summary>Compares two rows' keys by <paramref name="keys"/>, term by term.</summary>
    public static int Compare(IReadOnlyList<OrderKey> keys, SqlValue[] x, SqlValue[] y)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            int order = keys[i].Compare(x[i], y[i]);
            if (order != 0)
                return order;
        }
        return 0;
    }

    /// <summary>Compares two values of this term.</summary>
    public int Compare(SqlValue x, SqlValue y)
    {
        if (NullsFirst is bool nullsFirst && (x.IsNull || y.IsNull))
        {
            if (x.IsNull && y.IsNull)
                return 0;
            return x.IsNull == nullsFirst ? -1 : 1;
        }
        int order = SqlValue.Compare(x, y);
        return Descending ? -order : order;
    }
}
