using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// A stored row seen through its encoded key and record, so a predicate reads only the columns it names. The bytes
/// are copied into buffers reused from row to row (a cursor's view is only valid until it moves).
/// </summary>
internal sealed class EncodedRow(Table table) : IValueSource
{
    private byte[] _key = new byte[64];
    private byte[] _record = new byte[256];
    private int _keyLength;
    private int _recordLength;

    public ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    public ReadOnlySpan<byte> Record => _record.AsSpan(0, _recordLength);

    public void Load(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record)
    {
        _keyLength = Copy(key, ref _key);
        _recordLength = Copy(record, ref _record);
    }

    public Value GetValue(int ordinal) => ordinal == table.RowIdOrdinal
        ? table.DecodeRowId(Key)
        : new RecordReader(Record, table.Layout, table.FilePath).Read(ordinal);

    /// <summary>The row of the columns at <paramref name="ordinals"/>.</summary>
    public Row ToRow(int[] ordinals) => table.DecodeRow(Key, Record, ordinals);

    private static int Copy(ReadOnlySpan<byte> source, ref byte[] buffer)
    {
        if (buffer.Length < source.Length)
            buffer = new byte[Math.Max(source.Length, buffer.Length * 2)];
        source.CopyTo(buffer);
        return source.Length;
    }
}
