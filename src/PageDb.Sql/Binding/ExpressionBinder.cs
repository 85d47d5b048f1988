using PageDb.Sql.Execution;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>
/// Binds parsed expressions to evaluators: names become row positions (and scope depths for correlated references),
/// functions are looked up, subqueries are compiled, aggregates get a slot in their query's group frame.
/// Predicates (comparison, IN, LIKE, BETWEEN...) are in the other part of this class.
/// </summary>
internal sealed partial class ExpressionBinder(QueryCompiler compiler, string sql)
{
    /// <summary>The SQL text, for error positions.</summary>
    public string Sql { get; } = sql;

    /// <summary>Binds <paramref name="expression"/> in <paramref name="scope"/>.</summary>
    /// <exception cref="SqlException">An unknown name or function, or a misused aggregate.</exception>
    public Bound Bind(SqlExpr expression, Scope scope) => expression switch
    {
        LiteralExpr literal => Constant(literal.Value),
        ParameterExpr parameter => Parameter(parameter),
        ColumnExpr column => Column(column, scope),
        UnaryExpr unary => Unary(unary, scope),
        BinaryExpr binary => Binary(binary, scope),
        IsNullExpr isNull => IsNull(isNull, scope),
        BetweenExpr between => Between(between, scope),
        InListExpr inList => InList(inList, scope),
        InSelectExpr inSelect => InSelect(inSelect, scope),
        LikeExpr like => Like(like, scope),
        FunctionExpr function => Function(function, scope),
        CastExpr cast => Cast(cast, scope),
        CaseExpr caseExpr => Case(caseExpr, scope),
        SubqueryExpr subquery => Subquery(subquery, scope),
        ExistsExpr exists => Exists(exists, scope),
        _ => throw Error(expression.Offset, "This expression is not supported."),
    };

    /// <summary>An error at <paramref name="offset"/>.</summary>
    public SqlException Error(int offset, string message) => SourcePosition.Error(Sql, offset, message);

    private static Bound Constant(SqlValue value) => new(_ => value);

    /// <summary>
    /// How an evaluator reports an error at <paramref name="offset"/> of <paramref name="sql"/> when it runs. An
    /// evaluator holds no binder: a prepared statement keeps its evaluators (<see cref="Execution.CompiledInsert"/>) past
    /// the transaction they were bound in, which the binder's compiler and catalog hold. So a method that makes an
    /// evaluator lets none of its lambdas use this binder (they would share one closure with the evaluator).
    /// </summary>
    private static Func<string, SqlException> ErrorAt(string sql, int offset) => message => SourcePosition.Error(sql, offset, message);

    /// <summary>Binds each of <paramref name="expressions"/> in <paramref name="scope"/>, in order.</summary>
    private Bound[] BindAll(IReadOnlyList<SqlExpr> expressions, Scope scope)
    {
        var bound = new Bound[expressions.Count];
        for (int i = 0; i < bound.Length; i++)
            bound[i] = Bind(expressions[i], scope);
        return bound;
    }

    private Bound Parameter(ParameterExpr parameter)
    {
        string key = SqlParameters.KeyOf(parameter.Name, parameter.Position);
        Func<string, SqlException> error = ErrorAt(Sql, parameter.Offset);
        string missing = $"No value was given for parameter {parameter.Name}.";
        return new(frame => frame.Context.Parameters.TryGet(key, out SqlValue value) ? value : throw error(missing));
    }

    private Bound Column(ColumnExpr column, Scope scope)
    {
        (ScopeColumn Column, int Depth)? found = scope.Resolve(column.Table, column.Column, m => Error(column.Offset, m));
        if (found is null)
        {
            if (column.Table is null && scope.Aliases is not null && scope.Aliases.TryGetValue(column.Column, out SqlExpr? aliased))
                return WithoutAliases(scope, () => Bind(aliased, scope));
            string name = column.Table is null ? column.Column : $"{column.Table}.{column.Column}";
            throw Error(column.Offset, $"No such column: {name}.");
        }
        return ColumnValue(found.Value.Column, found.Value.Depth);
    }

    /// <summary>
    /// The value of <paramref name="column"/>, <paramref name="depth"/> scopes out. Static (see <see cref="ErrorAt"/>):
    /// made in <see cref="Column(ColumnExpr, Scope)"/> the evaluator shared a closure with its lambdas that use this
    /// binder, and a cached plan kept the compiling transaction through it.
    /// </summary>
    private static Bound ColumnValue(ScopeColumn column, int depth)
    {
        int ordinal = column.Ordinal;
        Evaluator evaluate = depth == 0 ? frame => frame.Row[ordinal] : frame => frame.Up(depth).Row[ordinal];
        return new Bound(evaluate, column.Affinity, depth == 0 ? ordinal : -1);
    }

    private static Bound WithoutAliases(Scope scope, Func<Bound> bind)
    {
        IReadOnlyDictionary<string, SqlExpr>? aliases = scope.Aliases;
        scope.Aliases = null;
        try
        {
            return bind();
        }
        finally
        {
            scope.Aliases = aliases;
        }
    }

    private Bound Unary(UnaryExpr unary, Scope scope)
    {
        Bound bound = Bind(unary.Operand, scope);
        Evaluator operand = bound.Evaluate;
        return unary.Operator switch
        {
            "-" => new Bound(frame => SqlArithmetic.Negate(operand(frame))),
            "+" => bound,
            "~" => new Bound(frame => SqlArithmetic.BitNot(operand(frame))),
            _ => new Bound(frame => operand(frame).ToTruth() is bool truth ? SqlValue.FromBoolean(!truth) : SqlValue.Null),
        };
    }

    private Bound Binary(BinaryExpr binary, Scope scope)
    {
        Bound left = Bind(binary.Left, scope);
        Bound right = Bind(binary.Right, scope);
        Evaluator l = left.Evaluate, r = right.Evaluate;
        return binary.Operator switch
        {
            "AND" => new Bound(frame => And(l, r, frame)),
            "OR" => new Bound(frame => Or(l, r, frame)),
            "+" => new Bound(frame => SqlArithmetic.Add(l(frame), r(frame))),
            "-" => new Bound(frame => SqlArithmetic.Subtract(l(frame), r(frame))),
            "*" => new Bound(frame => SqlArithmetic.Multiply(l(frame), r(frame))),
            "/" => new Bound(frame => SqlArithmetic.Divide(l(frame), r(frame))),
            "%" => new Bound(frame => SqlArithmetic.Remainder(l(frame), r(frame))),
            "||" => new Bound(frame => SqlArithmetic.Concat(l(frame), r(frame))),
            "&" => new Bound(frame => SqlArithmetic.Bitwise(l(frame), r(frame), (a, b) => a & b)),
            "|" => new Bound(frame => SqlArithmetic.Bitwise(l(frame), r(frame), (a, b) => a | b)),
            "<<" => new Bound(frame => SqlArithmetic.Bitwise(l(frame), r(frame), SqlArithmetic.ShiftLeft)),
            ">>" => new Bound(frame => SqlArithmetic.Bitwise(l(frame), r(frame), SqlArithmetic.ShiftRight)),
            _ => Comparison(binary.Operator, left, right),
        };
    }

    private static SqlValue And(Evaluator left, Evaluator right, Frame frame)
    {
        bool? l = left(frame).ToTruth();
        if (l == false)
            return SqlValue.FromBoolean(false);
        bool? r = right(frame).ToTruth();
        if (r == false)
            return SqlValue.FromBoolean(false);
        return l is null || r is null ? SqlValue.Null : SqlValue.FromBoolean(true);
    }

    private static SqlValue Or(Evaluator left, Evaluator right, Frame frame)
    {
        bool? l = left(frame).ToTruth();
        if (l == true)
            return SqlValue.FromBoolean(true);
        bool? r = right(frame).ToTruth();
        if (r == true)
            return SqlValue.FromBoolean(true);
        return l is null || r is null ? SqlValue.Null : SqlValue.FromBoolean(false);
    }

    private Bound Function(FunctionExpr function, Scope scope)
    {
        if (Accumulator.IsAggregate(function.Name, function.Arguments.Count, function.Star))
            return Aggregate(function, scope);
        if (function.Star || function.Distinct)
            throw Error(function.Offset, $"{function.Name}() is not an aggregate function.");
        Evaluator[] arguments = Array.ConvertAll(BindAll(function.Arguments, scope), a => a.Evaluate);
        Func<SqlValue[], SqlValue> body = ScalarFunctions.Resolve(function.Name, arguments.Length, ErrorAt(Sql, function.Offset));
        return new Bound(frame =>
        {
            var values = new SqlValue[arguments.Length];
            for (int i = 0; i < values.Length; i++)
                values[i] = arguments[i](frame);
            return body(values);
        });
    }

    private Bound Aggregate(FunctionExpr function, Scope scope)
    {
        if (function.Distinct && function.Arguments.Count != 1)
            throw Error(function.Offset, $"DISTINCT aggregates must have exactly one argument: {function.Name}().");
        List<AggregateCall>? aggregates = scope.Aggregates;
        if (aggregates is null)
            throw Error(function.Offset, $"Misuse of aggregate function {function.Name}().");
        scope.Aggregates = null;
        Bound[] arguments;
        try
        {
            arguments = BindAll(function.Arguments, scope);
        }
        finally
        {
            scope.Aggregates = aggregates;
        }
        int slot = aggregates.Count;
        aggregates.Add(new AggregateCall(function.Name, arguments, function.Distinct, function.Star, slot));
        return new Bound(frame => frame.Aggregates![slot]);
    }

    private Bound Cast(CastExpr cast, Scope scope)
    {
        Evaluator operand = Bind(cast.Operand, scope).Evaluate;
        Affinity affinity = TypeMapping.AffinityOfTypeName(cast.TypeName);
        return new Bound(frame => ScalarFunctions.Cast(operand(frame), affinity), affinity);
    }

    private Bound Case(CaseExpr caseExpr, Scope scope)
    {
        Bound? subject = caseExpr.Base is null ? null : Bind(caseExpr.Base, scope);
        var branches = new (Bound When, Evaluator Then)[caseExpr.Branches.Count];
        for (int i = 0; i < branches.Length; i++)
            branches[i] = (Bind(caseExpr.Branches[i].When, scope), Bind(caseExpr.Branches[i].Then, scope).Evaluate);
        Evaluator? otherwise = caseExpr.Else is null ? null : Bind(caseExpr.Else, scope).Evaluate;
        return new Bound(frame =>
        {
            SqlValue value = subject is null ? SqlValue.Null : subject.Evaluate(frame);
            foreach ((Bound when, Evaluator then) in branches)
            {
                bool matches = subject is null
                    ? when.Evaluate(frame).ToTruth() == true
                    : SqlComparison.Compare(value, subject.Affinity, when.Evaluate(frame), when.Affinity) == 0;
                if (matches)
                    return then(frame);
            }
            return otherwise is null ? SqlValue.Null : otherwise(frame);
        });
    }

    private Bound Subquery(SubqueryExpr subquery, Scope scope)
    {
        CompiledQuery query = compiler.Compile(subquery.Query, scope);
        return new Bound(frame =>
        {
            List<SqlValue[]> rows = query.Run(frame, frame.Context);
            return rows.Count == 0 ? SqlValue.Null : rows[0][0];
        });
    }

    private Bound Exists(ExistsExpr exists, Scope scope)
    {
        CompiledQuery query = compiler.Compile(exists.Query, scope);
        return new Bound(frame => SqlValue.FromBoolean(query.Run(frame, frame.Context).Count > 0));
    }
}
