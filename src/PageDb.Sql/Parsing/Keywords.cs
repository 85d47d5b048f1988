namespace PageDb.Sql.Parsing;

/// <summary>The words that cannot be used as a bare name or alias (quote them to use them as names).</summary>
internal static class Keywords
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "ALL", "AND", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "COLLATE", "CREATE", "CROSS", "DEFAULT", "DELETE",
        "DESC", "DISTINCT", "DROP", "ELSE", "END", "ESCAPE", "EXCEPT", "EXISTS", "FROM", "GLOB", "GROUP", "HAVING", "IN",
        "INDEX", "INDEXED", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN", "LEFT", "LIKE", "LIMIT",
        "NATURAL", "NOT", "NOTNULL", "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER", "PRIMARY", "REFERENCES", "SELECT",
        "SET", "TABLE", "THEN", "UNION", "UNIQUE", "UPDATE", "USING", "VALUES", "WHEN", "WHERE",
    };

    /// <summary>True when <paramref name="word"/> is reserved.</summary>
    public static bool IsReserved(string word) => Reserved.Contains(word);
}
