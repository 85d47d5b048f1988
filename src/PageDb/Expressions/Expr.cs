using System.Runtime.CompilerServices;
using PageDb.Execution;
using PageDb.Records;

namespace PageDb.Expressions;

/// <summary>
/// A scalar expression over a row: column references, constants, comparisons, arithmetic, and/or/not, is-null.
/// Build them with the factory methods and operators (<c>Expr.Col("total") &gt; Expr.Const(10.0)</c>); an operator
/// binds its expressions to its input's columns when it is constructed, so a missing column throws at once.
/// Nulls propagate as in SQL: a comparison or arithmetic with a null is null, and a filter keeps only true rows.
/// </summary>
public abstract class Expr
{
    private protected Expr() { }

    /// <summary>The column called <paramref name="name"/> ("column" or "table.column").</summary>
    public static Expr Col(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new ColumnExpr(name, -1);
    }

    /// <summary>The column at position <paramref name="ordinal"/> of the input.</summary>
    public static Expr Col(int ordinal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        return new ColumnExpr(null, ordinal);
    }

    /// <summary>A constant: null, long (or int), double, bool, string, byte[], DateTime, decimal.</summary>
    public static Expr Const(object? value) => new ConstantExpr(Value.FromObject(value));

    /// <summary>True when both are true (three-valued).</summary>
    public static Expr And(Expr left, Expr right) => new LogicalExpr(LogicalOperator.And, left, right);

    /// <summary>True when either is true (three-valued).</summary>
    public static Expr Or(Expr left, Expr right) => new LogicalExpr(LogicalOperator.Or, left, right);

    /// <summary>The negation; null stays null.</summary>
    public static Expr Not(Expr operand) => new NotExpr(operand);

    /// <summary>True when <paramref name="operand"/> is null.</summary>
    public static Expr IsNull(Expr operand) => new IsNullExpr(operand);

#pragma warning disable CS1591, CA2225 // the operators are documented as a group: they build the expressions their names say
    public static Expr operator ==(Expr left, Expr right) => new ComparisonExpr(ComparisonOperator.Equal, left, right);
    public static Expr operator !=(Expr left, Expr right) => new ComparisonExpr(ComparisonOperator.NotEqual, left, right);
    public static Expr operator <(Expr left, Expr right) => new ComparisonExpr(ComparisonOperator.Less, left, right);
    public static Expr operator <=(Expr left, Expr right) => new ComparisonExpr(ComparisonOperator.LessOrEqual, left, right);
    public static Expr operator >(Expr left, Expr right) => new ComparisonExpr(ComparisonOperator.Greater, left, right);
    public static Expr operator >=(Expr left, Expr right) => new ComparisonExpr(ComparisonOperator.GreaterOrEqual, left, right);
    public static Expr operator +(Expr left, Expr right) => new ArithmeticExpr(ArithmeticOperator.Add, left, right);
    public static Expr operator -(Expr left, Expr right) => new ArithmeticExpr(ArithmeticOperator.Subtract, left, right);
    public static Expr operator *(Expr left, Expr right) => new ArithmeticExpr(ArithmeticOperator.Multiply, left, right);
    public static Expr operator /(Expr left, Expr right) => new ArithmeticExpr(ArithmeticOperator.Divide, left, right);
    public static Expr operator %(Expr left, Expr right) => new ArithmeticExpr(ArithmeticOperator.Remainder, left, right);
    public static Expr operator &(Expr left, Expr right) => And(left, right);
    public static Expr operator |(Expr left, Expr right) => Or(left, right);
    public static Expr operator !(Expr operand) => Not(operand);
#pragma warning restore CS1591, CA2225

    /// <summary>Expressions are compared by reference (== builds a comparison expression).</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc/>
    public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);

    /// <summary>A copy whose column references are resolved to positions in <paramref name="columns"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or ambiguous.</exception>
    internal abstract Expr Bind(IReadOnlyList<OutputColumn> columns);

    /// <summary>Evaluates a bound expression on <paramref name="row"/>.</summary>
    internal abstract Value Evaluate(IValueSource row);

    /// <summary>True when a bound predicate holds for <paramref name="row"/> (null counts as false).</summary>
    internal bool IsTrue(IValueSource row)
    {
        Value value = Evaluate(row);
        if (!value.IsNull && value.Type != ColumnType.Boolean)
            ThrowNotBoolean(value);
        return !value.IsNull && value.AsBoolean;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private protected static void ThrowNotBoolean(Value value) =>
        throw new InvalidOperationException($"A condition must be Boolean; it gave {value.Type} {value}.");
}
