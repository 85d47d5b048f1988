namespace PageDb.Records;

/// <summary>
/// Where each column of a schema lives in an encoded record: for <see cref="RecordFormat.FixedSlots"/> the offset of
/// its fixed-size slot relative to the end of the header (see <see cref="RecordEncoding"/>); for
/// <see cref="RecordFormat.Compact"/> its position among the stored columns, or, for a primary-key column whose key
/// encoding gives back the exact value, its position in the key (see <see cref="CompactRecordEncoding"/>). Computed
/// once per table definition and never changed, so it is shared by every transaction on any thread.
/// </summary>
internal sealed class RecordLayout
{
    public const int VariableSlotSize = 8;

    /// <summary>A fixed-slot layout of <paramref name="columns"/> (every column in the record).</summary>
    public RecordLayout(IReadOnlyList<Column> columns)
        : this(columns, [], RecordFormat.FixedSlots)
    {
    }

    /// <summary>The layout of <paramref name="columns"/> in <paramref name="format"/>, for a table keyed by <paramref name="keyOrdinals"/> (empty: a row id).</summary>
    public RecordLayout(IReadOnlyList<Column> columns, ReadOnlySpan<int> keyOrdinals, RecordFormat format)
    {
        Format = format;
        Types = new ColumnType[columns.Count];
        SlotOffsets = new int[columns.Count + 1];
        for (int i = 0; i < columns.Count; i++)
        {
            Types[i] = columns[i].Type;
            SlotOffsets[i + 1] = SlotOffsets[i] + SlotSize(columns[i].Type);
        }
        KeyTypes = new ColumnType[keyOrdinals.Length];
        for (int k = 0; k < keyOrdinals.Length; k++)
            KeyTypes[k] = columns[keyOrdinals[k]].Type;
        Places = new int[columns.Count];
        var stored = new List<int>(columns.Count);
        for (int i = 0; i < columns.Count; i++)
        {
            int keyPosition = keyOrdinals.IndexOf(i);
            if (IsCompact && keyPosition >= 0 && IsExactInKey(Types[i]))
            {
                Places[i] = ~keyPosition;
                continue;
            }
            Places[i] = stored.Count;
            stored.Add(i);
        }
        StoredOrdinals = [.. stored];
        StoredValidTypes = Array.ConvertAll(StoredOrdinals, o => CompactRecordEncoding.ValidTypes(Types[o]));
    }

    /// <summary>The records' format.</summary>
    public RecordFormat Format { get; }

    /// <summary>True for <see cref="RecordFormat.Compact"/> and <see cref="RecordFormat.CompactKeys"/>.</summary>
    public bool IsCompact => Format >= RecordFormat.Compact;

    /// <summary>How the table's keys encode integers: compact from definition version 3 on.</summary>
    public KeyFormat KeyFormat => Format >= RecordFormat.CompactKeys ? KeyFormat.CompactIntegers : KeyFormat.Tagged;

    /// <summary>Each column's type.</summary>
    public ColumnType[] Types { get; }

    /// <summary>Fixed slots: slot offset of column i after the header; the last entry is the size of all slots.</summary>
    public int[] SlotOffsets { get; }

    /// <summary>The types of the primary key's columns, in key order (empty for a row id).</summary>
    public ColumnType[] KeyTypes { get; }

    /// <summary>
    /// Per column: its index among <see cref="StoredOrdinals"/> when the record holds it, else the bitwise complement
    /// of its position in the key (compact records leave exact-key columns to the key).
    /// </summary>
    public int[] Places { get; }

    /// <summary>The ordinals of the columns the record holds, in column order (all of them for fixed slots).</summary>
    public int[] StoredOrdinals { get; }

    /// <summary>Per stored column: the serial types a compact record may give it (<see cref="CompactRecordEncoding.ValidTypes"/>).</summary>
    public uint[] StoredValidTypes { get; }

    public int ColumnCount => Types.Length;

    /// <summary>The header's size for a record of <paramref name="columnCount"/> columns: count and null bitmap.</summary>
    public static int HeaderSize(int columnCount) => RecordEncoding.BitmapOffset + (columnCount + 7) / 8;

    public static int SlotSize(ColumnType type) => type switch
    {
        ColumnType.Boolean => 1,
        ColumnType.Decimal => 16,
        ColumnType.String or ColumnType.Bytes => VariableSlotSize,
        _ => 8,
    };

    public static bool IsVariable(ColumnType type) => type is ColumnType.String or ColumnType.Bytes;

    /// <summary>
    /// True when a key column of <paramref name="type"/> decodes to exactly the value written: not Double (the key
    /// folds -0.0 into 0.0 and every NaN into one) nor Decimal (1.0 and 1.00 encode alike).
    /// </summary>
    public static bool IsExactInKey(ColumnType type) => type is not (ColumnType.Double or ColumnType.Decimal);
}
