namespace PageDb.Sql.Scan;

/// <summary>A bad expression as one line naming the option it came from and the character where it went wrong.</summary>
internal static class ExpressionError
{
    /// <summary>"<paramref name="origin"/>, character N: <paramref name="problem"/>" (N counts from 1).</summary>
    public static SqlException At(string origin, int position, string problem) =>
        new($"{origin}, character {position + 1}: {problem}");
}
