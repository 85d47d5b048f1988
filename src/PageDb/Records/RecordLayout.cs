namespace PageDb.Records;

/// <summary>
/// Where each column of a schema lives in an encoded record (see <see cref="RecordEncoding"/>): the offset of its
/// fixed-size slot relative to the end of the header. Computed once per table, so reading one column is O(1).
/// </summary>
internal sealed class RecordLayout
{
    public const int VariableSlotSize = 8;

    public RecordLayout(IReadOnlyList<Column> columns)
    {
        Types = new ColumnType[columns.Count];
        SlotOffsets = new int[columns.Count + 1];
        for (int i = 0; i < columns.Count; i++)
        {
            Types[i] = columns[i].Type;
            SlotOffsets[i + 1] = SlotOffsets[i] + SlotSize(columns[i].Type);
        }
    }

    /// <summary>Each column's type.</summary>
    public ColumnType[] Types { get; }

    /// <summary>Slot offset of column i after the header; the last entry is the size of all slots.</summary>
    public int[] SlotOffsets { get; }

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
}
