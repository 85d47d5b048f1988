namespace PageDb.Records;

/// <summary>
/// A table's definition as stored in its catalog entry (<see cref="Encoded"/>) with what is decoded from it: the
/// schema and the record layout. Everything here is a pure function of the table's name and those bytes and is
/// never changed, so one instance may be shared by any number of transactions on any threads.
/// </summary>
internal sealed class TableDefinition
{
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

    /// <summary>Decodes the definition <paramref name="encoded"/> of table <paramref name="name"/>; a bad one is corruption.</summary>
    public static TableDefinition Decode(string name, ReadOnlySpan<byte> encoded, string filePath) =>
        new(SchemaEncoding.DecodeTable(name, encoded, filePath), encoded.ToArray());
}
