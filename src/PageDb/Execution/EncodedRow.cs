using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// A stored row seen through its encoded key and record, so a predicate reads only the columns it names. The bytes
/// are copied into a <see cref="RowBuffer"/> reused from row to row (a cursor's view is only valid until it moves).
/// </summary>
internal sealed class EncodedRow(Table table) : IValueSource
{
    private readonly RowBuffer _row = new();

    public void Load(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record) => _row.Load(key, record, table.Layout, table.FilePath);

    public Value GetValue(int ordinal) => ordinal == table.RowIdOrdinal ? table.DecodeRowId(_row.Key) : _row.Read(ordinal);
}
