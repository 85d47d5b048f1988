using System.Buffers.Binary;
using System.Diagnostics;
using PageDb.Execution;

namespace PageDb.Records;

/// <summary>
/// A decode of chosen columns of a table's stored rows (a scan's columns, or all of them), planned once per table
/// definition and column list so a row's decode does no per-column lookups. Output i is the column at
/// <see cref="Ordinals"/>[i] (the row id's ordinal, one past the last column, reads the key). For a compact record
/// the plan names, per stored column, the output it fills (or none), and per key position the output a key column
/// fills: one walk of the header and bodies then decodes the row, checking every serial type and the record's end
/// (<see cref="CompactRecordEncoding"/>'s invariants 1-3, and 4 for the columns decoded), as a column-by-column
/// read followed by <see cref="RecordReader.CheckEnd"/> does. Fixed-slot records (<see cref="RecordFormat.FixedSlots"/>) are read column
/// by column through <see cref="RecordReader"/>. Never changed after construction, so shared by any thread.
/// </summary>
internal sealed class RecordProjection
{
    private const int NoOutput = -1;

    private readonly RecordLayout _layout;
    private readonly int _rowIdOrdinal;
    private readonly StoredColumn[] _stored; // per stored column, in record order
    private readonly int[] _keyOutputs; // per key position up to the last one read: the output it fills, or NoOutput
    private readonly int _rowIdOutput; // the output that reads the row id, or NoOutput
    private readonly (int To, int From)[] _copies; // outputs that name a column an earlier output already reads

    /// <summary>A decode of <paramref name="ordinals"/> (<paramref name="rowIdOrdinal"/> is the row id's) of records laid out as <paramref name="layout"/>.</summary>
    public RecordProjection(RecordLayout layout, int[] ordinals, int rowIdOrdinal, OutputColumn[] columns, string[]? names)
    {
        _layout = layout;
        _rowIdOrdinal = rowIdOrdinal;
        Ordinals = ordinals;
        Columns = columns;
        Names = names;
        _stored = new StoredColumn[layout.StoredOrdinals.Length];
        for (int s = 0; s < _stored.Length; s++)
        {
            _stored[s] = new StoredColumn(NoOutput, layout.Types[layout.StoredOrdinals[s]], layout.StoredValidTypes[s]);
        }
        _rowIdOutput = NoOutput;
        var keyOutputs = new List<int>();
        var copies = new List<(int, int)>();
        var firstOutputOf = new Dictionary<int, int>();
        for (int i = 0; i < ordinals.Length; i++)
        {
            int ordinal = ordinals[i];
            if (!firstOutputOf.TryAdd(ordinal, i))
            {
                copies.Add((i, firstOutputOf[ordinal]));
                continue;
            }
            if (ordinal == rowIdOrdinal)
            {
                _rowIdOutput = i;
                continue;
            }
            int place = layout.Places[ordinal];
            if (place >= 0)
            {
                _stored[place] = _stored[place] with { Output = i };
                continue;
            }
            int position = ~place;
            while (keyOutputs.Count <= position)
                keyOutputs.Add(NoOutput);
            keyOutputs[position] = i;
        }
        _keyOutputs = [.. keyOutputs];
        _copies = [.. copies];
    }

    /// <summary>The ordinal of each output among the table's scan columns.</summary>
    public int[] Ordinals { get; }

    /// <summary>The scan column of each output.</summary>
    public OutputColumn[] Columns { get; }

    /// <summary>The column names this projection was resolved from; null for all columns.</summary>
    public string[]? Names { get; }

    /// <summary>True when <paramref name="names"/> are the names this projection was resolved from.</summary>
    public bool IsFor(IReadOnlyList<string> names)
    {
        if (Names is null || Names.Length != names.Count)
            return false;
        for (int i = 0; i < Names.Length; i++)
        {
            if (!string.Equals(Names[i], names[i], StringComparison.Ordinal))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Decodes the row stored under <paramref name="key"/> as <paramref name="record"/> into <paramref name="values"/>
    /// (one per output); a malformed record or key throws <see cref="CorruptDatabaseException"/>.
    /// </summary>
    public void Decode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, string filePath, Span<Value> values)
    {
        Debug.Assert(values.Length == Ordinals.Length);
        if (_layout.IsCompact)
            DecodeCompact(record, filePath, values);
        else
            DecodeFixedSlots(key, record, filePath, values);
        if (_keyOutputs.Length > 0)
            DecodeKeyColumns(key, filePath, values);
        if (_rowIdOutput != NoOutput)
        {
            int offset = 0;
            values[_rowIdOutput] = KeyEncoding.Decode(key, ref offset, ColumnType.Int64, _layout.KeyFormat, filePath);
        }
        foreach ((int to, int from) in _copies)
            values[to] = values[from];
    }

    /// <summary>One walk of the serial types beside the bodies they describe, decoding the stored columns asked for.</summary>
    private void DecodeCompact(ReadOnlySpan<byte> record, string filePath, Span<Value> values)
    {
        StoredColumn[] stored = _stored;
        var walk = new CompactColumnWalk(record, stored.Length, filePath);
        for (int s = 0; s < walk.Count; s++)
        {
            StoredColumn column = stored[s];
            ReadOnlySpan<byte> body = walk.Next(column.ValidTypes, out uint type);
            if (column.Output != NoOutput)
                values[column.Output] = DecodeBody(column.Type, type, body, filePath);
        }
        walk.CheckEnd();
        for (int s = walk.Count; s < stored.Length; s++)
        {
            if (stored[s].Output != NoOutput)
                values[stored[s].Output] = Value.Null;
        }
    }

    /// <summary>A Double or an Int64 column (the common fixed types) decoded here; the rest by <see cref="RecordReader.DecodeCompactBody"/>.</summary>
    private static Value DecodeBody(ColumnType columnType, uint type, ReadOnlySpan<byte> body, string filePath)
    {
        if (type == CompactRecordEncoding.Float64)
            return Value.FromDouble(BinaryPrimitives.ReadDoubleLittleEndian(body));
        if (columnType == ColumnType.Int64 && type != CompactRecordEncoding.Null)
            return Value.FromInt64(CompactRecordEncoding.ReadInteger(body, type));
        return RecordReader.DecodeCompactBody(columnType, type, body, filePath);
    }

    private void DecodeFixedSlots(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, string filePath, Span<Value> values)
    {
        var reader = new RecordReader(record, _layout, filePath, key);
        for (int s = 0; s < _stored.Length; s++)
        {
            if (_stored[s].Output != NoOutput)
                values[_stored[s].Output] = reader.Read(_layout.StoredOrdinals[s]);
        }
    }

    /// <summary>Decodes the key's columns up to the last one asked for (a compact record leaves exact-key columns to the key).</summary>
    private void DecodeKeyColumns(ReadOnlySpan<byte> key, string filePath, Span<Value> values)
    {
        int offset = 0;
        for (int position = 0; position < _keyOutputs.Length; position++)
        {
            Value value = KeyEncoding.Decode(key, ref offset, _layout.KeyTypes[position], _layout.KeyFormat, filePath);
            if (_keyOutputs[position] != NoOutput)
                values[_keyOutputs[position]] = value;
        }
    }

    /// <summary>A stored column: the output it fills (or <see cref="NoOutput"/>), its type and the serial types valid for it.</summary>
    private readonly record struct StoredColumn(int Output, ColumnType Type, uint ValidTypes);
}
