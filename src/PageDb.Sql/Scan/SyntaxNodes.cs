namespace PageDb.Sql.Scan;

/// <summary>
/// A node of a parsed expression, with the position (0-based) of the character that errors about it point at.
/// <see cref="ToString"/> writes it back fully parenthesised, so tests and messages show how it was grouped.
/// </summary>
internal abstract record SyntaxNode(int Position)
{
    /// <summary>The nodes directly under this one.</summary>
    public virtual IEnumerable<SyntaxNode> Children => [];

    /// <summary>This node and every node under it.</summary>
    public IEnumerable<SyntaxNode> DescendantsAndSelf() => Children.SelectMany(c => c.DescendantsAndSelf()).Prepend(this);
}

/// <summary>A column of the table, by name.</summary>
internal sealed record ColumnNode(string Name, int Position) : SyntaxNode(Position)
{
    public override string ToString() => Name;
}

/// <summary>
/// A constant: null, long, double, bool or string as parsed; after binding also DateTime, decimal or byte[].
/// <see cref="Text"/> is the literal as written, so a number can become a Decimal without passing through a double.
/// </summary>
internal sealed record LiteralNode(object? Value, string Text, int Position) : SyntaxNode(Position)
{
    public override string ToString() => Value switch
    {
        null => "null",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        _ => ValueText.Format(Value),
    };
}

/// <summary>The prefix operators.</summary>
internal enum UnaryOperator
{
    Not,
    Negate,
}

/// <summary><c>not x</c> or <c>-x</c>.</summary>
internal sealed record UnaryNode(UnaryOperator Operator, SyntaxNode Operand, int Position) : SyntaxNode(Position)
{
    public override IEnumerable<SyntaxNode> Children => [Operand];

    public override string ToString() => Operator == UnaryOperator.Not ? $"(not {Operand})" : $"(-{Operand})";
}

/// <summary>The infix operators, loosest first.</summary>
internal enum BinaryOperator
{
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
}

/// <summary><c>left op right</c>; the position is the operator's.</summary>
internal sealed record BinaryNode(BinaryOperator Operator, SyntaxNode Left, SyntaxNode Right, int Position) : SyntaxNode(Position)
{
    public override IEnumerable<SyntaxNode> Children => [Left, Right];

    /// <summary>True for and/or.</summary>
    public bool IsLogical => Operator is BinaryOperator.And or BinaryOperator.Or;

    /// <summary>True for = &lt;&gt; &lt; &lt;= &gt; &gt;=.</summary>
    public bool IsComparison => Operator is >= BinaryOperator.Equal and <= BinaryOperator.GreaterOrEqual;

    public override string ToString() => $"({Left} {Symbol(Operator)} {Right})";

    /// <summary>How the operator is written.</summary>
    public static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => "or",
        BinaryOperator.And => "and",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "<>",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        _ => "/",
    };
}

/// <summary><c>x is null</c>, or <c>x is not null</c> when <see cref="Negated"/>.</summary>
internal sealed record IsNullNode(SyntaxNode Operand, bool Negated, int Position) : SyntaxNode(Position)
{
    public override IEnumerable<SyntaxNode> Children => [Operand];

    public override string ToString() => Negated ? $"({Operand} is not null)" : $"({Operand} is null)";
}

/// <summary>One key of <c>--order-by</c>: an expression and its direction.</summary>
internal sealed record OrderItem(SyntaxNode Expression, bool Descending);
