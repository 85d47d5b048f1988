using System.Diagnostics;
using PageDb.Records;

namespace PageDb.Execution;

/// <summary>The running state of one aggregate function over one group.</summary>
internal sealed class Accumulator(AggregateFunction function)
{
    private long _count;
    private Value _value;

    public void Add(Value value, bool countRows)
    {
        if (countRows)
        {
            _count++;
            return;
        }
        if (value.IsNull)
            return;
        if (function is AggregateFunction.Sum or AggregateFunction.Avg && !Value.IsNumeric(value.Type))
            throw new InvalidOperationException($"Cannot {function} values of type {value.Type}.");
        _count++;
        _value = _count == 1 ? value : function switch
        {
            AggregateFunction.Count => _value,
            AggregateFunction.Sum or AggregateFunction.Avg => Add(_value, value),
            AggregateFunction.Min => Value.Compare(value, _value) < 0 ? value : _value,
            AggregateFunction.Max => Value.Compare(value, _value) > 0 ? value : _value,
            _ => throw new UnreachableException(),
        };
    }

    public Value Result() => function switch
    {
        AggregateFunction.Count => Value.FromInt64(_count),
        AggregateFunction.Avg when _count == 0 => Value.Null,
        AggregateFunction.Avg when _value.Type == ColumnType.Decimal => Value.FromDecimal(_value.AsDecimal / _count),
        AggregateFunction.Avg => Value.FromDouble(_value.ToDouble() / _count),
        _ => _value,
    };

    private static Value Add(Value a, Value b)
    {
        if (a.Type == ColumnType.Int64 && b.Type == ColumnType.Int64)
            return Value.FromInt64(unchecked(a.AsInt64 + b.AsInt64));
        if (a.Type == ColumnType.Double || b.Type == ColumnType.Double)
            return Value.FromDouble(a.ToDouble() + b.ToDouble());
        return Value.FromDecimal(a.ToDecimal() + b.ToDecimal());
    }
}
