using System.Text;
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

    /// <summary>Adds one row's argument values.</summary>
    public void Add(SqlValue[] arguments)
    {
        if (_seen is not null && (arguments[0].IsNull || !_seen.Add(arguments[0])))
            return;
        Step(arguments);
    }

    /// <summary>The aggregate's value for the rows added.</summary>
    public abstract SqlValue Result();

    /// <summary>Adds one row's argument values (after DISTINCT filtering).</summary>
    protected abstract void Step(SqlValue[] arguments);

    private sealed class CountAccumulator(bool star) : Accumulator
    {
        private long _count;

        public override SqlValue Result() => SqlValue.FromInteger(_count);

        protected override void Step(SqlValue[] arguments)
        {
            if (star || !arguments[0].IsNull)
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

        protected override void Step(SqlValue[] arguments)
        {
            SqlValue value = arguments[0];
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

        protected override void Step(SqlValue[] arguments)
        {
            if (arguments[0].IsNull)
                return;
            _sum += arguments[0].ToNumber().ToReal();
            _count++;
        }
    }

    private sealed class ExtremeAccumulator(int sign) : Accumulator
    {
        private SqlValue _best;

        public override SqlValue Result() => _best;

        protected override void Step(SqlValue[] arguments)
        {
            SqlValue value = arguments[0];
            if (!value.IsNull && (_best.IsNull || SqlValue.Compare(value, _best) * sign > 0))
                _best = value;
        }
    }

    private sealed class ConcatAccumulator : Accumulator
    {
        private StringBuilder? _text;

        public override SqlValue Result() => _text is null ? SqlValue.Null : SqlValue.FromText(_text.ToString());

        protected override void Step(SqlValue[] arguments)
        {
            if (arguments[0].IsNull)
                return;
            if (_text is null)
                _text = new StringBuilder();
            else
                _text.Append(arguments.Length > 1 ? arguments[1].ToText() : ",");
            _text.Append(arguments[0].ToText());
        }
    }
}
