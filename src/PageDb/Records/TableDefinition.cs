using PageDb.Execution;

namespace PageDb.Records;

/// <summary>
/// A table's definition as stored in its catalog entry (<see cref="Encoded"/>) with what is decoded from it: the
/// schema and the record layout. Everything here is a pure function of the table's name and those bytes and is
/// never changed, so one instance may be shared by any number of transactions on any threads.
/// </summary>
internal sealed class TableDefinition
{
    // Made on first use; two threads may both make them, and either result is the same.
    private OutputColumn[]? _scanColumns;
    private int[]? _allOrdinals;
    private RecordProjection? _allColumns;

    // The projection of the last scan that named its columns: scans of a table mostly repeat one column list, and
    // reusing it spares each scan the resolution of the names and the plan's arrays. Replaced, never changed.
    private RecordProjection? _lastNamed;

    public TableDefinition(TableSchema schema, byte[] encoded)
    {
        Schema = schema;
        Encoded = encoded;
        Layout = new RecordLayout(schema.Columns, schema.PrimaryKeyOrdinals, SchemaEncoding.RecordFormatOf(encoded));
    }

    /// <summary>The definition bytes (<see cref="SchemaEncoding.EncodeTable"/>) this was decoded from or encoded to.</summary>
    public byte[] Encoded { get; }

    public TableSchema Schema { get; }

    public RecordLayout Layout { get; }

    /// <summary>
    /// The columns a scan of the table offers: every column, then the row id when the table has one (named
    /// <see cref="TableSchema.RowIdColumn"/>). Shared by every scan of the table; never changed.
    /// </summary>
    public OutputColumn[] ScanColumns => _scanColumns ??= MakeScanColumns(Schema);

    /// <summary>The ordinals of every column, in order: what a scan produces when no columns are named.</summary>
    public int[] AllOrdinals => _allOrdinals ??= [.. Enumerable.Range(0, Schema.Columns.Count)];

    /// <summary>The decode of every column, in order (no row id): what a lookup and an unprojected scan produce.</summary>
    public RecordProjection AllColumns => _allColumns ??= new RecordProjection(Layout, AllOrdinals, Schema.Columns.Count,
        Select(ScanColumns, AllOrdinals), names: null);

    /// <summary>The decode of <paramref name="columns"/> among <see cref="ScanColumns"/> (every column when null).</summary>
    /// <exception cref="ArgumentException">A column is missing or ambiguous.</exception>
    public RecordProjection Projection(IReadOnlyList<string>? columns)
    {
        if (columns is null)
            return AllColumns;
        RecordProjection? last = Volatile.Read(ref _lastNamed);
        if (last is not null && last.IsFor(columns))
            return last;
        OutputColumn[] all = ScanColumns;
        var ordinals = new int[columns.Count];
        for (int i = 0; i < ordinals.Length; i++)
            ordinals[i] = OutputColumn.Resolve(all, columns[i]);
        last = new RecordProjection(Layout, ordinals, Schema.Columns.Count, Select(all, ordinals), [.. columns]);
        Volatile.Write(ref _lastNamed, last);
        return last;
    }

    /// <summary>Decodes the definition <paramref name="encoded"/> of table <paramref name="name"/>; a bad one is corruption.</summary>
    public static TableDefinition Decode(string name, ReadOnlySpan<byte> encoded, string filePath) =>
        new(SchemaEncoding.DecodeTable(name, encoded, filePath), encoded.ToArray());

    private static OutputColumn[] Select(OutputColumn[] all, int[] ordinals)
    {
        var selected = new OutputColumn[ordinals.Length];
        for (int i = 0; i < ordinals.Length; i++)
            selected[i] = all[ordinals[i]];
        return selected;
    }

    private static OutputColumn[] MakeScanColumns(TableSchema schema)
    {
        var columns = new OutputColumn[schema.Columns.Count + (schema.HasRowId ? 1 : 0)];
        for (int i = 0; i < schema.Columns.Count; i++)
            columns[i] = new OutputColumn(schema.Columns[i].Name, schema.Name);
        if (schema.HasRowId)
            columns[^1] = new OutputColumn(TableSchema.RowIdColumn, schema.Name);
        return columns;
    }
}
