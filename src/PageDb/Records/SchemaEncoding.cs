using System.Buffers.Binary;
using System.Text;

namespace PageDb.Records;

/// <summary>
/// The definitions stored in catalog entries of tables and indexes (after the entry's kind and root). Little-endian.
/// <code>
/// table schema:
///   0  1  version: the table's record format (<see cref="RecordFormat"/>): 1 fixed slots, 2 compact, 3 compact
///           records and compact integer keys (written now)
///   1  2  column count c (u16), then c times:
///           1  type (<see cref="ColumnType"/>)
///           1  flags: bit 0 = nullable
///           2  name length L (u16), then L bytes of UTF-8 name
///   .  2  primary key column count k (u16; 0 = hidden row id), then k times a column ordinal (u16)
/// index definition (the catalog name is "table\0index"):
///   0  1  version (1)
///   1  1  flags: bit 0 = unique
///   2  2  column count k (u16), then k times a column ordinal of the table (u16)
/// </code>
/// A definition that does not decode to a valid schema is reported as corruption.
/// </summary>
internal static class SchemaEncoding
{
    private const byte IndexVersion = 1;
    private const byte NullableFlag = 1;
    private const byte UniqueFlag = 1;

    public static byte[] EncodeTable(TableSchema schema)
    {
        var output = new ByteBuilder();
        output.Add((byte)RecordFormat.CompactKeys);
        WriteUInt16(output, schema.Columns.Count);
        foreach (Column column in schema.Columns)
        {
            output.Add((byte)column.Type);
            output.Add(column.Nullable ? NullableFlag : (byte)0);
            byte[] name = Encoding.UTF8.GetBytes(column.Name);
            WriteUInt16(output, name.Length);
            name.CopyTo(output.Reserve(name.Length));
            output.Advance(name.Length);
        }
        WriteOrdinals(output, schema.PrimaryKeyOrdinals);
        return output.ToArray();
    }

    public static TableSchema DecodeTable(string name, ReadOnlySpan<byte> bytes, string filePath)
    {
        var reader = new DefinitionReader(bytes, filePath);
        reader.ExpectVersion((byte)RecordFormat.FixedSlots, (byte)RecordFormat.CompactKeys);
        var columns = new Column[reader.UInt16()];
        for (int i = 0; i < columns.Length; i++)
        {
            var type = (ColumnType)reader.Byte();
            bool nullable = (reader.Byte() & NullableFlag) != 0;
            string columnName = Encoding.UTF8.GetString(reader.Bytes(reader.UInt16()));
            columns[i] = new Column(columnName, type, nullable);
        }
        int[] key = reader.Ordinals(columns.Length);
        try
        {
            return new TableSchema(name, columns, Array.ConvertAll(key, k => columns[k].Name));
        }
        catch (ArgumentException e)
        {
            ThrowHelper.ThrowCorrupt(filePath, $"the schema of table '{name}' is invalid: {e.Message}");
            return null;
        }
    }

    /// <summary>The record format of a table whose definition <paramref name="encodedTable"/> decoded.</summary>
    public static RecordFormat RecordFormatOf(ReadOnlySpan<byte> encodedTable) => (RecordFormat)encodedTable[0];

    public static byte[] EncodeIndex(ReadOnlySpan<int> ordinals, bool unique)
    {
        var output = new ByteBuilder();
        output.Add(IndexVersion);
        output.Add(unique ? UniqueFlag : (byte)0);
        WriteOrdinals(output, ordinals);
        return output.ToArray();
    }

    public static (int[] Ordinals, bool Unique) DecodeIndex(ReadOnlySpan<byte> bytes, int tableColumns, string filePath)
    {
        var reader = new DefinitionReader(bytes, filePath);
        reader.ExpectVersion(IndexVersion, IndexVersion);
        bool unique = (reader.Byte() & UniqueFlag) != 0;
        int[] ordinals = reader.Ordinals(tableColumns);
        if (ordinals.Length == 0)
            ThrowHelper.ThrowCorrupt(filePath, "an index definition has no columns");
        return (ordinals, unique);
    }

    private static void WriteOrdinals(ByteBuilder output, ReadOnlySpan<int> ordinals)
    {
        WriteUInt16(output, ordinals.Length);
        foreach (int ordinal in ordinals)
            WriteUInt16(output, ordinal);
    }

    private static void WriteUInt16(ByteBuilder output, int value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(output.Reserve(2), checked((ushort)value));
        output.Advance(2);
    }

    /// <summary>Reads a definition front to back; running off its end is corruption.</summary>
    private ref struct DefinitionReader(ReadOnlySpan<byte> bytes, string filePath)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _offset;

        public void ExpectVersion(byte lowest, byte highest)
        {
            byte version = Byte();
            if (version < lowest || version > highest)
                ThrowHelper.ThrowCorrupt(filePath, "a catalog definition has an unknown version");
        }

        public byte Byte() => Bytes(1)[0];

        public int UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (_offset + count > _bytes.Length)
                ThrowHelper.ThrowCorrupt(filePath, "a catalog definition ends early");
            ReadOnlySpan<byte> taken = _bytes.Slice(_offset, count);
            _offset += count;
            return taken;
        }

        public int[] Ordinals(int columnCount)
        {
            var ordinals = new int[UInt16()];
            for (int i = 0; i < ordinals.Length; i++)
            {
                ordinals[i] = UInt16();
                if (ordinals[i] >= columnCount)
                    ThrowHelper.ThrowCorrupt(filePath, "a catalog definition names a column that does not exist");
            }
            return ordinals;
        }
    }
}
