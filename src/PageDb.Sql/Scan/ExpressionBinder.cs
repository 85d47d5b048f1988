namespace PageDb.Sql.Scan;

/// <summary>
/// Checks a parsed expression against a table's columns before anything runs: every name must be a column, every
/// operator must get types it accepts, and a condition must be Boolean. Literals next to typed operands are
/// converted to their type (<see cref="LiteralCoercion"/>). Each error is one line naming the option and character.
/// </summary>
internal sealed class ExpressionBinder
{
    private readonly IReadOnlyList<Column> _columns;
    private readonly string _origin;

    /// <summary>A binder for expressions over <paramref name="schema"/>'s columns (and its row id, when it has one).</summary>
    public ExpressionBinder(TableSchema schema, string origin)
    {
        _columns = schema.HasRowId ? [.. schema.Columns, new Column(TableSchema.RowIdColumn, ColumnType.Int64)] : schema.Columns;
        _origin = origin;
    }

    /// <summary>The condition with its literals converted; it must be Boolean (or the null literal).</summary>
    public SyntaxNode BindCondition(SyntaxNode condition)
    {
        Typed bound = Bind(condition);
        RequireBoolean(bound, "a condition");
        return bound.Node;
    }

    /// <summary>An expression of any type (a sort key) with its literals converted.</summary>
    public SyntaxNode BindValue(SyntaxNode expression) => Bind(expression).Node;

    /// <summary>The column called <paramref name="name"/> (names are case-sensitive), written at <paramref name="position"/>.</summary>
    public Column Resolve(string name, int position) =>
        Find(name) ?? throw ExpressionError.At(_origin, position, UnknownColumn(name));

    /// <summary>The column called <paramref name="name"/>, named in a list rather than an expression.</summary>
    public Column Resolve(string name) => Find(name) ?? throw new SqlException($"{_origin}: {UnknownColumn(name)}");

    private Column? Find(string name) => _columns.FirstOrDefault(c => c.Name == name);

    private string UnknownColumn(string name) =>
        $"unknown column '{name}' (columns: {string.Join(", ", _columns.Select(c => c.Name))})";

    private Typed Bind(SyntaxNode node) => node switch
    {
        ColumnNode column => new Typed(column, Resolve(column.Name, column.Position).Type),
        LiteralNode literal => new Typed(literal, TypeOf(literal.Value)),
        UnaryNode unary => Unary(unary),
        IsNullNode isNull => new Typed(isNull with { Operand = Bind(isNull.Operand).Node }, ColumnType.Boolean),
        BinaryNode binary => Binary(binary),
        _ => throw new ArgumentException($"Unknown syntax node {node.GetType().Name}.", nameof(node)),
    };

    private Typed Unary(UnaryNode unary)
    {
        Typed operand = Bind(unary.Operand);
        if (unary.Operator == UnaryOperator.Not)
        {
            RequireBoolean(operand, "'not'");
            return new Typed(unary with { Operand = operand.Node }, ColumnType.Boolean);
        }
        RequireNumber(operand, "'-'");
        return new Typed(unary with { Operand = operand.Node }, operand.Type);
    }

    private Typed Binary(BinaryNode binary)
    {
        Typed left = Bind(binary.Left), right = Bind(binary.Right);
        string symbol = $"'{BinaryNode.Symbol(binary.Operator)}'";
        if (binary.IsLogical)
        {
            RequireBoolean(left, symbol);
            RequireBoolean(right, symbol);
            return new Typed(binary with { Left = left.Node, Right = right.Node }, ColumnType.Boolean);
        }
        (left, right) = (CoerceTowards(left, right), CoerceTowards(right, left));
        BinaryNode bound = binary with { Left = left.Node, Right = right.Node };
        if (binary.IsComparison)
        {
            if (!Comparable(left.Type, right.Type))
                throw ExpressionError.At(_origin, binary.Position, $"cannot compare {Describe(left)} with {Describe(right)}");
            return new Typed(bound, ColumnType.Boolean);
        }
        RequireNumber(left, symbol);
        RequireNumber(right, symbol);
        return new Typed(bound, ArithmeticType(left.Type, right.Type));
    }

    /// <summary><paramref name="side"/> converted to the other side's type when it is a literal and the other is not.</summary>
    private Typed CoerceTowards(Typed side, Typed other)
    {
        if (side.Node is not LiteralNode literal || other.Node is LiteralNode || other.Type is not { } target)
            return side;
        LiteralNode coerced = LiteralCoercion.To(literal, target, _origin);
        return new Typed(coerced, TypeOf(coerced.Value));
    }

    private static bool Comparable(ColumnType? a, ColumnType? b) =>
        a is null || b is null || a == b || (IsNumber(a) && IsNumber(b));

    /// <summary>The engine's arithmetic: Int64 with Int64 stays Int64, any Double makes a Double, else Decimal; null stays null.</summary>
    private static ColumnType? ArithmeticType(ColumnType? a, ColumnType? b) =>
        a is null || b is null ? null
        : a == ColumnType.Int64 && b == ColumnType.Int64 ? ColumnType.Int64
        : a == ColumnType.Double || b == ColumnType.Double ? ColumnType.Double
        : ColumnType.Decimal;

    private void RequireBoolean(Typed operand, string user)
    {
        if (operand.Type is not (null or ColumnType.Boolean))
            throw ExpressionError.At(_origin, operand.Node.Position, $"{user} needs a Boolean, not {Describe(operand)}");
    }

    private void RequireNumber(Typed operand, string user)
    {
        if (operand.Type is not null && !IsNumber(operand.Type))
            throw ExpressionError.At(_origin, operand.Node.Position, $"{user} needs a number, not {Describe(operand)}");
    }

    private static bool IsNumber(ColumnType? type) => type is ColumnType.Int64 or ColumnType.Double or ColumnType.Decimal;

    private static string Describe(Typed operand) => operand.Node switch
    {
        ColumnNode column => $"{operand.Type} column '{column.Name}'",
        LiteralNode literal => literal.Value is null ? "null" : $"{operand.Type} {literal}",
        _ => $"an expression of type {operand.Type}",
    };

    /// <summary>The type of a literal's value; null for the null literal, which fits anywhere.</summary>
    private static ColumnType? TypeOf(object? value) => value switch
    {
        null => null,
        long => ColumnType.Int64,
        double => ColumnType.Double,
        bool => ColumnType.Boolean,
        string => ColumnType.String,
        byte[] => ColumnType.Bytes,
        DateTime => ColumnType.DateTime,
        decimal => ColumnType.Decimal,
        _ => throw new ArgumentException($"A literal cannot hold a {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>A bound node and the type of its value (null: the null literal or arithmetic on it).</summary>
    private readonly record struct Typed(SyntaxNode Node, ColumnType? Type);
}
