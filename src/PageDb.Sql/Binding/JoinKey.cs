using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>
/// One equality of a join condition that a hash join can use: <see cref="BuildKey"/> reads only FROM item
/// <see cref="Build"/>, <see cref="ProbeKey"/> only the items in <see cref="ProbeSources"/> (bits), none of them that
/// item. The comparison converts its operands by their affinities (<see cref="SqlComparison.Prepare"/>), and which
/// side it converts depends only on the two affinities, so each side's conversion is fixed here: two values are equal
/// under the condition exactly when, converted, neither is NULL and <see cref="SqlValue.Equals(SqlValue)"/> holds, and
/// then their hash codes are equal too (numbers hash by value, so 1 and 1.0 meet).
/// </summary>
internal sealed record JoinKey(int Build, Bound BuildKey, Bound ProbeKey, ulong ProbeSources)
{
    /// <summary>The affinity the comparison applies to the build side's value (None: it is compared as it is).</summary>
    public Affinity BuildConversion { get; } = Conversion(BuildKey.Affinity, ProbeKey.Affinity);

    /// <summary>The affinity the comparison applies to the probe side's value.</summary>
    public Affinity ProbeConversion { get; } = Conversion(ProbeKey.Affinity, BuildKey.Affinity);

    /// <summary>
    /// The conversion the comparison makes to an operand of affinity <paramref name="own"/> compared with one of
    /// <paramref name="other"/>: numeric when the other is numeric and it is not, text when the other is text and it
    /// has none; else none. <see cref="SqlComparison.Prepare"/>'s rules, seen from one side.
    /// </summary>
    private static Affinity Conversion(Affinity own, Affinity other)
    {
        if (IsNumeric(other) && !IsNumeric(own))
            return Affinity.Numeric;
        return other == Affinity.Text && own == Affinity.None ? Affinity.Text : Affinity.None;
    }

    private static bool IsNumeric(Affinity affinity) => affinity is Affinity.Integer or Affinity.Real or Affinity.Numeric;
}
