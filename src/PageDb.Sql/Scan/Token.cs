namespace PageDb.Sql.Scan;

/// <summary>What a token of an expression is.</summary>
internal enum TokenKind
{
    /// <summary>A bare name: a column, or a keyword (and, or, not, is, null, true, false, asc, desc) in any case.</summary>
    Identifier,

    /// <summary>A "double-quoted" name: always a column, even when it spells a keyword.</summary>
    QuotedIdentifier,

    /// <summary>Digits without a point or exponent.</summary>
    Integer,

    /// <summary>Digits with a point or an exponent.</summary>
    Real,

    /// <summary>A 'single-quoted' string; its text is the value, with '' turned back into '.</summary>
    String,

    /// <summary>One of = == != &lt;&gt; &lt; &lt;= &gt; &gt;= + - * / ( ) ,</summary>
    Symbol,

    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>One token: its kind, its text (the value for strings and quoted names), and where it starts (0-based).</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    /// <summary>True for a bare identifier spelling <paramref name="keyword"/>, in any case.</summary>
    public bool IsKeyword(string keyword) =>
        Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the symbol <paramref name="symbol"/>.</summary>
    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    /// <summary>The token as an error message quotes it.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end",
        TokenKind.String => $"string '{Text.Replace("'", "''", StringComparison.Ordinal)}'",
        TokenKind.QuotedIdentifier => $"\"{Text}\"",
        _ => $"'{Text}'",
    };
}
