using System.Runtime.CompilerServices;
using System.Text;
using PageDb.Records;

namespace PageDb;

/// <summary>
/// An immutable row of values, as inserted into a table or produced by an operator. Typed getters read a column by
/// its position; they throw <see cref="InvalidCastException"/> when the column holds another type or null.
/// </summary>
public sealed class Row : IEquatable<Row>, IValueSource
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
    public int Count => _values.Length;

    /// <summary>The value at <paramref name="index"/> as an object (null for null).</summary>
    public object? this[int index] => _values[index].ToObject();

    internal ReadOnlySpan<Value> Values => _values;

    /// <summary>True when the value at <paramref name="index"/> is null.</summary>
    public bool IsNull(int index) => _values[index].IsNull;

    /// <summary>The Int64 at <paramref name="index"/>.</summary>
    public long GetInt64(int index) => Typed(index, ColumnType.Int64).AsInt64;

    /// <summary>The Double at <paramref name="index"/>.</summary>
    public double GetDouble(int index) => Typed(index, ColumnType.Double).AsDouble;

    /// <summary>The Boolean at <paramref name="index"/>.</summary>
    public bool GetBoolean(int index) => Typed(index, ColumnType.Boolean).AsBoolean;

    /// <summary>The String at <paramref name="index"/>.</summary>
    public string GetString(int index) => Typed(index, ColumnType.String).AsString;

    /// <summary>The Bytes at <paramref name="index"/> (the row's own array: do not change it).</summary>
    public byte[] GetBytes(int index) => Typed(index, ColumnType.Bytes).AsBytes;

    /// <summary>The DateTime at <paramref name="index"/>, with Kind UTC.</summary>
    public DateTime GetDateTime(int index) => Typed(index, ColumnType.DateTime).AsDateTime;

    /// <summary>The Decimal at <paramref name="index"/>.</summary>
    public decimal GetDecimal(int index) => Typed(index, ColumnType.Decimal).AsDecimal;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Value Typed(int index, ColumnType type)
    {
        Value value = _values[index];
        if (value.Type != type)
            ThrowWrongType(index, type, value);
        return value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWrongType(int index, ColumnType type, Value value) =>
        throw new InvalidCastException(value.IsNull
            ? $"Column {index} is null, not {type}."
            : $"Column {index} holds {value.Type}, not {type}.");
}
