using System.Runtime.CompilerServices;
using PageDb.Records;

namespace PageDb;

/// <summary>
/// A row's values by position, with the typed getters <see cref="Row"/> and <see cref="RowBuffer"/> share: each
/// throws <see cref="InvalidCastException"/> when the column holds another type or null.
/// </summary>
public abstract class RowValues
{
    private protected RowValues()
    {
    }

    /// <summary>The number of values.</summary>
    public abstract int Count { get; }

    /// <summary>True when the value at <paramref name="index"/> is null.</summary>
    public bool IsNull(int index) => ValueAt(index).IsNull;

    /// <summary>The Int64 at <paramref name="index"/>.</summary>
    public long GetInt64(int index) => Typed(index, ColumnType.Int64).AsInt64;

    /// <summary>The Double at <paramref name="index"/>.</summary>
    public double GetDouble(int index) => Typed(index, ColumnType.Double).AsDouble;

    /// <summary>The Boolean at <paramref name="index"/>.</summary>
    public bool GetBoolean(int index) => Typed(index, ColumnType.Boolean).AsBoolean;

    /// <summary>The String at <paramref name="index"/>.</summary>
    public string GetString(int index) => Typed(index, ColumnType.String).AsString;

    /// <summary>The Bytes at <paramref name="index"/> (a <see cref="Row"/>'s own array: do not change it).</summary>
    public byte[] GetBytes(int index) => Typed(index, ColumnType.Bytes).AsBytes;

    /// <summary>The DateTime at <paramref name="index"/>, with Kind UTC.</summary>
    public DateTime GetDateTime(int index) => Typed(index, ColumnType.DateTime).AsDateTime;

    /// <summary>The Decimal at <paramref name="index"/>.</summary>
    public decimal GetDecimal(int index) => Typed(index, ColumnType.Decimal).AsDecimal;

    /// <summary>The value at <paramref name="ordinal"/>.</summary>
    internal abstract Value ValueAt(int ordinal);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Value Typed(int index, ColumnType type)
    {
        Value value = ValueAt(index);
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
