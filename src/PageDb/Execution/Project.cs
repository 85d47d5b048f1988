using PageDb.Expressions;
using PageDb.Records;

namespace PageDb.Execution;

/// <summary>Computes one output column per expression (a column reference or any computed expression) for each input row.</summary>
public sealed class Project : PlanOperator
{
    private readonly PlanOperator _input;
    private readonly Expr[] _bound;
    private readonly string[] _text;

    /// <summary>Keeps the input columns named <paramref name="columns"/>, in that order.</summary>
    public Project(PlanOperator input, IReadOnlyList<string> columns)
        : this(input, Named(columns))
    {
    }

    /// <summary>Produces, for each input row, one column per (name, expression) pair.</summary>
    /// <exception cref="ArgumentException">An expression names a column the input lacks.</exception>
    public Project(PlanOperator input, IReadOnlyList<(string Name, Expr Expression)> expressions)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(expressions);
        _input = input;
        _bound = new Expr[expressions.Count];
        _text = new string[expressions.Count];
        var columns = new OutputColumn[expressions.Count];
        for (int i = 0; i < expressions.Count; i++)
        {
            (string name, Expr expression) = expressions[i];
            _bound[i] = expression.Bind(input.Columns);
            _text[i] = expression.ToString()!;
            columns[i] = _bound[i] is ColumnExpr column ? input.Columns[column.Ordinal] with { Name = name } : new OutputColumn(name);
        }
        Columns = columns;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<PlanOperator> Inputs => [_input];

    /// <inheritdoc/>
    public override string ToString() =>
        "Project " + string.Join(", ", Columns.Select((c, i) => _text[i] == c.Name ? c.Name : $"{_text[i]} as {c.Name}"));

    /// <inheritdoc/>
    protected override void OnOpen() => _input.Open();

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        Row? row = _input.Next();
        if (row is null)
            return null;
        var values = new Value[_bound.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = _bound[i].Evaluate(row);
        return new Row(values);
    }

    /// <inheritdoc/>
    protected override void OnClose() => _input.Close();

    private static (string, Expr)[] Named(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return columns.Select(c => (c[(c.LastIndexOf('.') + 1)..], Expr.Col(c))).ToArray();
    }
}
