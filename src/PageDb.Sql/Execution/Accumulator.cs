using System.Text;
using PageDb.Sql.Binding;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// Folds one group's values into an aggregate result: count, sum, total, avg, min, max and group_concat, each with
/// SQLite's NULL rules (NULL arguments are skipped; sum of no values is NULL, total is 0.0) and optional DISTINCT.
/// </summary>
internal abstract class Accumulator
{
    private HashSet<SqlValue>? _seen;

    /// <summary>True when <paramref name="name"/> with <paramref name="count"/> arguments is an aggregate.</summary>
    public static bool IsAggregate(string name, int count, bool star) => name switch
    {
        "count" => star || count == 1,
        "sum" or "total" or "avg" => count == 1,
        "min" or "max" => count == 1,
        "group_concat" => count is 1 or 2,
        _ => false,
    };

    /// <summary>A fresh accumulator.</summary>
    public static Accumulator Create(string name, bool distinct, bool star)
    {
        Accumulator accumulator = name switch
        {
            "count" => new CountAccumulator(star),
            "sum" => new SumAccumulator(total: false),
            "total" => new SumAccumulator(total: true),
            "avg" => new AverageAccumulator(),
            "min" => new ExtremeAccumulator(-1),
            "max" => new ExtremeAccumulator(1),
            _ => new ConcatAccumulator(),
        };
        if (distinct)
            accumulator._seen = [];
        return accumulator;
    }

    /// <summary>
    /// Adds one row: evaluates the first of <paramref name="arguments"/> against <paramref name="frame"/> (none for
    /// count(*)), and a second one (group_concat's separator) only when it is used, so no row allocates.
    /// </summary>
    public void Add(Bound[] arguments, Frame frame)
    {
        SqlValue value = arguments.Length > 0 ? arguments[0].Evaluate(frame) : SqlValue.Null;
        if (_seen is not null && (value.IsNull || !_seen.Add(value)))
            return;
        Step(value, arguments, frame);
    }

    /// <summary>The aggregate's value for the rows added.</summary>
    public abstract SqlValue Result();

    /// <summary>Adds one row's first argument value (after DISTINCT filtering); the others are evaluated from <paramref name="frame"/> if needed.</summary>
    protected abstract void Step(SqlValue value, Bound[] arguments, Frame frame);

    private sealed class CountAccumulator(bool star) : Accumulator
    {
        private long _count;

        public override SqlValue Result() => SqlValue.FromInteger(_count);

        protected override void Step(SqlValue value, Bound[] arguments, Frame frame)
        {
            if (star || !value.IsNull)
                _count++;
        }
    }

    private sealed class SumAccumulator(bool total) : Accumulator
    {
        private long _integer;
        private double _real;
        private bool _isReal;
        private bool _any;

        public override SqlValue Result()
        {
            if (total)
                return SqlValue.FromReal(_isReal ? _real : _integer);
            if (!_any)
                return SqlValue.Null;
            return _isReal ? SqlValue.FromReal(_real) : SqlValue.FromInteger(_integer);
        }

        protected override void Step(SqlValue value, Bound[] arguments, Frame frame)
        {
            if (value.IsNull)
                return;
            _any = true;
            if (value.Kind == SqlValueKind.Text)
                value = NumberText.TryParseWhole(value.Text, out SqlValue number) ? number : SqlValue.FromReal(value.ToReal());
            if (!_isReal && value.Kind == SqlValueKind.Integer)
            {
                long sum = unchecked(_integer + value.Integer);
                if (((_integer ^ sum) & (value.Integer ^ sum)) < 0)
                {
                    if (!total)
                        throw new SqlException("Integer overflow in sum().");
                    _isReal = true;
                    _real = (double)_integer + value.Integer;
                    return;
                }
                _integer = sum;
                return;
            }
            if (!_isReal)
            {
                _isReal = true;
                _real = _integer;
            }
            _real += value.ToNumber().ToReal();
        }
    }

    private sealed class AverageAccumulator : Accumulator
    {
        private double _sum;
        private long _count;

        public override SqlValue Result() => _count == 0 ? SqlValue.Null : SqlValue.FromReal(_sum / _count);

        protected override void Step(SqlValue value, Bound[] arguments, Frame frame)
        {
            if (value.IsNull)
                return;
            _sum += value.ToNumber().ToReal();
            _count++;
        }
    }

    private sealed class ExtremeAccumulator(int sign) : Accumulator
    {
        private SqlValue _best;

        public override SqlValue Result() => _best;

        protected override void Step(SqlValue value, Bound[] arguments, Frame frame)
        {
            if (!value.IsNull && (_best.IsNull || SqlValue.Compare(value, _best) * sign > 0))
                _best = value;
        }
    }

    private sealed class ConcatAccumulator : Accumulator
    {
        private StringBuilder? _text;

        public override SqlValue Result() => _text is null ? SqlValue.Null : SqlValue.FromText(_text.ToString());

        protected override void Step(SqlValue value, Bound[] arguments, Frame frame)
        {
            if (value.IsNull)
                return;
            if (_text is null)
                _text = new StringBuilder();
            else
                _text.Append(arguments.Length > 1 ? arguments[1].Evaluate(frame).ToText() : ",");
            _text.Append(value.ToText());
        }
    }
}
