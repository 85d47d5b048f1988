using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>
/// Comparison with SQLite's affinity rules: when one side is a column (or CAST) of numeric affinity and the other is
/// text or has none, the other side is converted to a number if it looks like one; a TEXT-affinity side turns an
/// affinity-less number into text. NULL on either side gives NULL.
/// </summary>
internal static class SqlComparison
{
    /// <summary>The two values after the affinity conversions of a comparison.</summary>
    public static (SqlValue Left, SqlValue Right) Prepare(SqlValue left, Affinity leftAffinity, SqlValue right, Affinity rightAffinity)
    {
        if (IsNumeric(leftAffinity) && !IsNumeric(rightAffinity))
            right = right.WithAffinity(Affinity.Numeric);
        else if (IsNumeric(rightAffinity) && !IsNumeric(leftAffinity))
            left = left.WithAffinity(Affinity.Numeric);
        else if (leftAffinity == Affinity.Text && rightAffinity == Affinity.None)
            right = right.WithAffinity(Affinity.Text);
        else if (rightAffinity == Affinity.Text && leftAffinity == Affinity.None)
            left = left.WithAffinity(Affinity.Text);
        return (left, right);
    }

    /// <summary>The order of the two values after affinity, or null when either is NULL.</summary>
    public static int? Compare(SqlValue left, Affinity leftAffinity, SqlValue right, Affinity rightAffinity)
    {
        if (left.IsNull || right.IsNull)
            return null;
        (left, right) = Prepare(left, leftAffinity, right, rightAffinity);
        return SqlValue.Compare(left, right);
    }

    private static bool IsNumeric(Affinity affinity) => affinity is Affinity.Integer or Affinity.Real or Affinity.Numeric;
}
