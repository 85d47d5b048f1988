namespace PageDb.Execution;

/// <summary>
/// A range of encoded keys given by key prefixes: a key is inside when its first bytes (as many as the bound has)
/// compare after/before the bound, or equal to it when the bound is inclusive. A null bound is open.
/// <see cref="LowValues"/> and <see cref="HighValues"/> are the bounds as people gave them, printed only by plans.
/// </summary>
internal readonly record struct KeyRange(byte[]? Low, bool LowInclusive, byte[]? High, bool HighInclusive, Row? LowValues, Row? HighValues)
{
    /// <summary>True when <paramref name="key"/> lies below the low bound (to be skipped at the start).</summary>
    public bool IsBelow(ReadOnlySpan<byte> key) =>
        Low is not null && ComparePrefix(key, Low) is var c && (c < 0 || (c == 0 && !LowInclusive));

    /// <summary>True when <paramref name="key"/> lies past the high bound (the scan is over).</summary>
    public bool IsAbove(ReadOnlySpan<byte> key) =>
        High is not null && ComparePrefix(key, High) is var c && (c > 0 || (c == 0 && !HighInclusive));

    /// <summary>Compares the key's first bound-length bytes with the bound: 0 when the key starts with the bound.</summary>
    private static int ComparePrefix(ReadOnlySpan<byte> key, byte[] bound) =>
        key[..Math.Min(key.Length, bound.Length)].SequenceCompareTo(bound);

    /// <summary>The range as a plan shows it, e.g. <c>[2 .. 4)</c> or <c>('alice' .. open]</c>.</summary>
    public override string ToString() =>
        $"{(LowInclusive ? "[" : "(")}{BoundText(LowValues)} .. {BoundText(HighValues)}{(HighInclusive ? "]" : ")")}";

    /// <summary>A bound's values as a plan prints them: strings quoted, a composite bound in parentheses.</summary>
    private static string BoundText(Row? bound)
    {
        if (bound is null)
            return "open";
        var values = new string[bound.Count];
        for (int i = 0; i < bound.Count; i++)
            values[i] = bound.GetValue(i).ToString();
        return values.Length == 1 ? values[0] : $"({string.Join(", ", values)})";
    }
}
