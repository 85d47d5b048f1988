using PageDb.Sql.Execution;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>The predicates: comparisons, IS [NOT], IS [NOT] NULL, BETWEEN, IN and LIKE/GLOB, with SQL's three-valued logic.</summary>
internal sealed partial class ExpressionBinder
{
    private static Bound Comparison(string op, Bound left, Bound right)
    {
        Evaluator l = left.Evaluate, r = right.Evaluate;
        Affinity la = left.Affinity, ra = right.Affinity;
        if (op is "IS" or "IS NOT")
        {
            bool wantEqual = op == "IS";
            return new Bound(frame =>
            {
                SqlValue a = l(frame), b = r(frame);
                bool equal = a.IsNull || b.IsNull ? a.IsNull && b.IsNull : SqlComparison.Compare(a, la, b, ra) == 0;
                return SqlValue.FromBoolean(equal == wantEqual);
            });
        }
        Func<int, bool> test = op switch
        {
            "=" => c => c == 0,
            "!=" => c => c != 0,
            "<" => c => c < 0,
            "<=" => c => c <= 0,
            ">" => c => c > 0,
            _ => c => c >= 0,
        };
        return new Bound(frame => SqlComparison.Compare(l(frame), la, r(frame), ra) is int c ? SqlValue.FromBoolean(test(c)) : SqlValue.Null);
    }

    private Bound IsNull(IsNullExpr isNull, Scope scope)
    {
        Evaluator operand = Bind(isNull.Operand, scope).Evaluate;
        bool negated = isNull.Negated;
        return new Bound(frame => SqlValue.FromBoolean(operand(frame).IsNull != negated));
    }

    private Bound Between(BetweenExpr between, Scope scope)
    {
        Bound operand = Bind(between.Operand, scope);
        Bound low = Bind(between.Low, scope);
        Bound high = Bind(between.High, scope);
        bool negated = between.Negated;
        return new Bound(frame =>
        {
            SqlValue value = operand.Evaluate(frame);
            int? fromLow = SqlComparison.Compare(value, operand.Affinity, low.Evaluate(frame), low.Affinity);
            int? toHigh = SqlComparison.Compare(value, operand.Affinity, high.Evaluate(frame), high.Affinity);
            bool? above = fromLow is null ? null : fromLow >= 0;
            bool? below = toHigh is null ? null : toHigh <= 0;
            bool? inside = above == false || below == false ? false : above is null || below is null ? null : true;
            return inside is null ? SqlValue.Null : SqlValue.FromBoolean(inside.Value != negated);
        });
    }

    private Bound InList(InListExpr inList, Scope scope)
    {
        Bound operand = Bind(inList.Operand, scope);
        Bound[] items = BindAll(inList.Items, scope);
        bool negated = inList.Negated;
        return new Bound(frame =>
        {
            if (items.Length == 0)
                return SqlValue.FromBoolean(negated);
            SqlValue value = operand.Evaluate(frame);
            if (value.IsNull)
                return SqlValue.Null;
            bool sawNull = false;
            foreach (Bound item in items)
            {
                int? order = SqlComparison.Compare(value, operand.Affinity, item.Evaluate(frame), item.Affinity);
                if (order == 0)
                    return SqlValue.FromBoolean(!negated);
                sawNull |= order is null;
            }
            return sawNull ? SqlValue.Null : SqlValue.FromBoolean(negated);
        });
    }

    private Bound InSelect(InSelectExpr inSelect, Scope scope)
    {
        Bound operand = Bind(inSelect.Operand, scope);
        CompiledQuery query = compiler.Compile(inSelect.Query, scope);
        if (query.ColumnNames.Count != 1)
            throw Error(inSelect.Offset, $"The subquery of IN returns {query.ColumnNames.Count} columns; it must return 1.");
        Affinity rightAffinity = query.FirstColumnAffinity;
        bool negated = inSelect.Negated;
        return new Bound(frame =>
        {
            List<SqlValue[]> rows = query.Run(frame, frame.Context);
            if (rows.Count == 0)
                return SqlValue.FromBoolean(negated);
            SqlValue value = operand.Evaluate(frame);
            if (value.IsNull)
                return SqlValue.Null;
            bool sawNull = false;
            foreach (SqlValue[] row in rows)
            {
                int? order = SqlComparison.Compare(value, operand.Affinity, row[0], rightAffinity);
                if (order == 0)
                    return SqlValue.FromBoolean(!negated);
                sawNull |= order is null;
            }
            return sawNull ? SqlValue.Null : SqlValue.FromBoolean(negated);
        });
    }

    private Bound Like(LikeExpr like, Scope scope)
    {
        Evaluator operand = Bind(like.Operand, scope).Evaluate;
        Evaluator pattern = Bind(like.Pattern, scope).Evaluate;
        Evaluator? escape = like.Escape is null ? null : Bind(like.Escape, scope).Evaluate;
        bool negated = like.Negated, glob = like.Glob;
        return new Bound(frame =>
        {
            SqlValue text = operand(frame), pat = pattern(frame);
            SqlValue esc = escape is null ? SqlValue.Null : escape(frame);
            if (text.IsNull || pat.IsNull || (escape is not null && esc.IsNull))
                return SqlValue.Null;
            char? escapeChar = escape is null ? null : esc.ToText() is { Length: 1 } e ? e[0] : throw new SqlException("The ESCAPE expression must be a single character.");
            bool matches = glob ? Patterns.Glob(text.ToText()!, pat.ToText()!) : Patterns.Like(text.ToText()!, pat.ToText()!, escapeChar);
            return SqlValue.FromBoolean(matches != negated);
        });
    }
}
