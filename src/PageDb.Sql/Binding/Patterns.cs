namespace PageDb.Sql.Binding;

/// <summary>LIKE (case-insensitive for ASCII letters, <c>%</c> and <c>_</c>, optional escape) and GLOB (<c>*</c>, <c>?</c>, <c>[...]</c>, case-sensitive).</summary>
internal static class Patterns
{
    /// <summary>True when <paramref name="text"/> matches the LIKE <paramref name="pattern"/>.</summary>
    public static bool Like(string text, string pattern, char? escape) => LikeAt(text, 0, pattern, 0, escape);

    /// <summary>True when <paramref name="text"/> matches the GLOB <paramref name="pattern"/>.</summary>
    public static bool Glob(string text, string pattern) => GlobAt(text, 0, pattern, 0);

    private static bool LikeAt(string text, int t, string pattern, int p, char? escape)
    {
        while (p < pattern.Length)
        {
            char c = pattern[p];
            if (escape is not null && c == escape && p + 1 < pattern.Length)
            {
                if (t >= text.Length || !SameIgnoringAsciiCase(text[t], pattern[p + 1]))
                    return false;
                t++;
                p += 2;
                continue;
            }
            if (c == '%')
            {
                while (p < pattern.Length && pattern[p] == '%')
                    p++;
                if (p == pattern.Length)
                    return true;
                for (int start = t; start <= text.Length; start++)
                {
                    if (LikeAt(text, start, pattern, p, escape))
                        return true;
                }
                return false;
            }
            if (t >= text.Length || (c != '_' && !SameIgnoringAsciiCase(text[t], c)))
                return false;
            t++;
            p++;
        }
        return t == text.Length;
    }

    private static bool SameIgnoringAsciiCase(char a, char b) =>
        a == b || (char.IsAscii(a) && char.IsAscii(b) && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));

    private static bool GlobAt(string text, int t, string pattern, int p)
    {
        while (p < pattern.Length)
        {
            char c = pattern[p];
            if (c == '*')
            {
                for (int start = t; start <= text.Length; start++)
                {
                    if (GlobAt(text, start, pattern, p + 1))
                        return true;
                }
                return false;
            }
            if (t >= text.Length)
                return false;
            if (c == '[')
            {
                int close = pattern.IndexOf(']', p + 2);
                if (close < 0 || !InClass(text[t], pattern[(p + 1)..close]))
                    return false;
                p = close + 1;
                t++;
                continue;
            }
            if (c != '?' && c != text[t])
                return false;
            t++;
            p++;
        }
        return t == text.Length;
    }

    private static bool InClass(char c, string set)
    {
        bool negate = set.Length > 0 && set[0] == '^';
        bool found = false;
        for (int i = negate ? 1 : 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                found |= c >= set[i] && c <= set[i + 2];
                i += 2;
            }
            else
            {
                found |= c == set[i];
            }
        }
        return found != negate;
    }
}
