namespace PageDb.Sql.Syntax;

/// <summary>What a <see cref="Token"/> is.</summary>
internal enum TokenKind
{
    /// <summary>A bare word: a keyword or a name.</summary>
    Word,

    /// <summary>A name in double quotes, brackets or backquotes: never a keyword.</summary>
    QuotedName,

    /// <summary>An integer literal.</summary>
    Integer,

    /// <summary>A real literal (with a point or an exponent).</summary>
    Real,

    /// <summary>A string literal in single quotes.</summary>
    String,

    /// <summary>A blob literal X'...'.</summary>
    Blob,

    /// <summary>A parameter: ?, ?NNN, :name, @name or $name.</summary>
    Parameter,

    /// <summary>An operator or punctuation.</summary>
    Symbol,

    /// <summary>The end of the text.</summary>
    End,
}
