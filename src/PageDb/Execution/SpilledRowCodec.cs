using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// How <see cref="Sort"/> writes rows to its temporary run files: a row count of values, then each value as a type
/// tag (the <see cref="ColumnType"/> number, 0 for null) and its payload (8 bytes for numbers, ticks and booleans;
/// 16 for decimals; a length-prefixed UTF-8 string or byte array). Temporary files only: never part of a database.
/// </summary>
internal static class SpilledRowCodec
{
    public static void Write(BinaryWriter writer, Row row, long sequence)
    {
        writer.Write(sequence);
        ReadOnlySpan<Value> values = row.Values;
        writer.Write(values.Length);
        foreach (Value value in values)
        {
            writer.Write((byte)value.Type);
            switch (value.Type)
            {
                case 0:
                    break;
                case ColumnType.String:
                    writer.Write(value.AsString);
                    break;
                case ColumnType.Bytes:
                    writer.Write(value.AsBytes.Length);
                    writer.Write(value.AsBytes);
                    break;
                case ColumnType.Decimal:
                    writer.Write(value.AsDecimal);
                    break;
                default:
                    writer.Write(value.Bits);
                    break;
            }
        }
    }

    public static (Row Row, long Sequence) Read(BinaryReader reader)
    {
        long sequence = reader.ReadInt64();
        var values = new Value[reader.ReadInt32()];
        for (int i = 0; i < values.Length; i++)
            values[i] = ReadValue(reader, (ColumnType)reader.ReadByte());
        return (new Row(values), sequence);
    }

    /// <summary>A rough count of the bytes a buffered row costs in memory, for the sort's budget.</summary>
    public static long EstimateMemory(Row row)
    {
        long bytes = 64;
        foreach (Value value in row.Values)
        {
            bytes += 32;
            if (value.Type == ColumnType.String)
                bytes += 24 + (value.AsString.Length * 2L);
            else if (value.Type == ColumnType.Bytes)
                bytes += 24 + value.AsBytes.Length;
        }
        return bytes;
    }

    private static Value ReadValue(BinaryReader reader, ColumnType type) => type switch
    {
        0 => Value.Null,
        ColumnType.String => Value.FromString(reader.ReadString()),
        ColumnType.Bytes => Value.FromBytes(reader.ReadBytes(reader.ReadInt32())),
        ColumnType.Decimal => Value.FromDecimal(reader.ReadDecimal()),
        ColumnType.Int64 => Value.FromInt64(reader.ReadInt64()),
        ColumnType.Double => Value.FromDouble(BitConverter.Int64BitsToDouble(reader.ReadInt64())),
        ColumnType.Boolean => Value.FromBoolean(reader.ReadInt64() != 0),
        ColumnType.DateTime => Value.FromDateTimeTicks(reader.ReadInt64()),
        _ => throw new InvalidDataException($"A sort run file holds an unknown value type {(int)type}."),
    };
}
