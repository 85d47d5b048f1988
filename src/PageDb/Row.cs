using System.Text;
using PageDb.Records;

namespace PageDb;

/// <summary>
/// An immutable row of values, as inserted into a table or produced by an operator. Typed getters read a column by
/// its position (<see cref="RowValues"/>).
/// </summary>
public sealed class Row : RowValues, IEquatable<Row>, IValueSource
{
    private readonly Value[] _values;

    internal Row(Value[] values) => _values = values;

    /// <summary>Makes a row of <paramref name="values"/>: null, long (or int), double, bool, string, byte[], DateTime, decimal.</summary>
    /// <exception cref="ArgumentException">A value of another type.</exception>
    public static Row Of(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var converted = new Value[values.Length];
        for (int i = 0; i < values.Length; i++)
            converted[i] = Value.FromObject(values[i]);
        return new Row(converted);
    }

    /// <summary>The number of values.</summary>
    public override int Count => _values.Length;

    /// <summary>The value at <paramref name="index"/> as an object (null for null).</summary>
    public object? this[int index] => _values[index].ToObject();

    internal ReadOnlySpan<Value> Values => _values;

    /// <inheritdoc/>
    internal override Value ValueAt(int ordinal) => _values[ordinal];

    Value IValueSource.GetValue(int ordinal) => _values[ordinal];

    internal Value GetValue(int ordinal) => _values[ordinal];

    /// <summary>True when both rows hold equal values (numbers compare by value; nulls equal nulls).</summary>
    public bool Equals(Row? other)
    {
        if (other is null || other._values.Length != _values.Length)
            return false;
        for (int i = 0; i < _values.Length; i++)
        {
            if (!_values[i].Equals(other._values[i]) || _values[i].IsNull != other._values[i].IsNull)
                return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Row);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (Value value in _values)
            hash.Add(value.GetHashCode());
        return hash.ToHashCode();
    }

    /// <summary>The values in parentheses, for messages and debugging.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("(");
        for (int i = 0; i < _values.Length; i++)
            text.Append(i == 0 ? "" : ", ").Append(_values[i].ToString());
        return text.Append(')').ToString();
    }
}
