namespace PageDb.Sql.Syntax;

/// <summary>Turns an offset in a SQL text into the 1-based line and column an error names.</summary>
internal static class SourcePosition
{
    /// <summary>An error at <paramref name="offset"/> of <paramref name="sql"/>.</summary>
    public static SqlException Error(string sql, int offset, string message)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset && i < sql.Length; i++)
        {
            if (sql[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new SqlException(message, line, column) { Offset = offset };
    }
}
