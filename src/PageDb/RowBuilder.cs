using PageDb.Records;

namespace PageDb;

/// <summary>
/// A row the caller fills value by value and reuses for writes (<see cref="Table.Insert(RowBuilder)"/>,
/// <see cref="Table.Upsert(RowBuilder)"/>): the typed setters store values without boxing, so a warm insert from it
/// allocates nothing for the row, where <see cref="Row.Of"/> makes an array, a box per number and a row each time.
/// A new builder holds nulls; a value stays until set again. The table encodes the values during the call and keeps
/// no reference to the builder. Use it from one thread at a time.
/// </summary>
public sealed class RowBuilder : RowValues
{
    private readonly Value[] _values;

    /// <summary>Makes a builder of <paramref name="count"/> values, all null.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public RowBuilder(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _values = new Value[count];
        View = new Row(_values);
    }

    /// <summary>The number of values.</summary>
    public override int Count => _values.Length;

    /// <summary>
    /// The values as a <see cref="Row"/> that shares the builder's array: for the table's write path only, which
    /// reads it during one call; anything that keeps a row takes <see cref="ToRow"/>.
    /// </summary>
    internal Row View { get; }

    /// <summary>Sets the value at <paramref name="index"/> to the Int64 <paramref name="value"/>.</summary>
    public void Set(int index, long value) => _values[index] = Value.FromInt64(value);

    /// <summary>Sets the value at <paramref name="index"/> to the Double <paramref name="value"/>.</summary>
    public void Set(int index, double value) => _values[index] = Value.FromDouble(value);

    /// <summary>Sets the value at <paramref name="index"/> to the Boolean <paramref name="value"/>.</summary>
    public void Set(int index, bool value) => _values[index] = Value.FromBoolean(value);

    /// <summary>Sets the value at <paramref name="index"/> to the String <paramref name="value"/> (null for null).</summary>
    public void Set(int index, string? value) => _values[index] = value is null ? Value.Null : Value.FromString(value);

    /// <summary>Sets the value at <paramref name="index"/> to the Bytes <paramref name="value"/> (null for null); the array is not copied.</summary>
    public void Set(int index, byte[]? value) => _values[index] = value is null ? Value.Null : Value.FromBytes(value);

    /// <summary>Sets the value at <paramref name="index"/> to the DateTime <paramref name="value"/> (its ticks are stored).</summary>
    public void Set(int index, DateTime value) => _values[index] = Value.FromDateTime(value);

    /// <summary>Sets the value at <paramref name="index"/> to the Decimal <paramref name="value"/>.</summary>
    public void Set(int index, decimal value) => _values[index] = Value.FromDecimal(value);

    /// <summary>Sets the value at <paramref name="index"/> to null.</summary>
    public void SetNull(int index) => _values[index] = Value.Null;

    /// <summary>The values as a new, immutable <see cref="Row"/>.</summary>
    public Row ToRow() => new((Value[])_values.Clone());

    /// <summary>The values in parentheses, for messages and debugging.</summary>
    public override string ToString() => View.ToString();

    /// <inheritdoc/>
    internal override Value ValueAt(int ordinal) => _values[ordinal];
}
