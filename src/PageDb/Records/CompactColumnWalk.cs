using System.Runtime.CompilerServices;

namespace PageDb.Records;

/// <summary>
/// One walk of a compact record's serial types beside the bodies they describe (<see cref="CompactRecordEncoding"/>),
/// checking each stored column as it is reached: invariant 1 at construction, 2 and the body's bounds at
/// <see cref="Next"/>, 3 at <see cref="CheckEnd"/>. Its users (a projection's decode, a row buffer's index of a
/// loaded record) call <see cref="Next"/> once per stored column below <see cref="Count"/>, then <see cref="CheckEnd"/>.
/// </summary>
internal ref struct CompactColumnWalk
{
    private readonly ReadOnlySpan<byte> _record;
    private readonly string _filePath;
    private int _typeAt; // the next column's serial type
    private int _bodyAt; // the next column's body

    /// <summary>Starts a walk of <paramref name="record"/>, whose schema stores <paramref name="storedColumns"/> columns.</summary>
    /// <exception cref="CorruptDatabaseException">The column count or a serial type is unreadable, or the count is too large.</exception>
    public CompactColumnWalk(ReadOnlySpan<byte> record, int storedColumns, string filePath)
    {
        _record = record;
        _filePath = filePath;
        _typeAt = 0;
        if (!CompactRecordEncoding.TryReadVarint(record, ref _typeAt, out uint count) || count > (uint)storedColumns)
            ThrowHelper.ThrowCorrupt(filePath, "a record's column count is unreadable or larger than its schema's");
        Count = (int)count;
        _bodyAt = RecordReader.SkipTypes(record, _typeAt, Count, filePath);
    }

    /// <summary>The number of stored columns the record holds (the rest read as null).</summary>
    public int Count { get; }

    /// <summary>Where the next column's body starts in the record.</summary>
    public readonly int BodyOffset => _bodyAt;

    /// <summary>
    /// The next column's body and serial <paramref name="type"/>, checked to be in <paramref name="validTypes"/> (a
    /// <see cref="CompactRecordEncoding.ValidTypes"/> mask of its column's type) and to end within the record.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The serial type is not valid for the column, or the body runs past the record.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Next(uint validTypes, out uint type)
    {
        CompactRecordEncoding.TryReadVarint(_record, ref _typeAt, out type); // checked by SkipTypes
        long length = CompactRecordEncoding.BodyLength(type);
        if ((validTypes & CompactRecordEncoding.TypeBit(type)) == 0 || _bodyAt + length > _record.Length)
            ThrowHelper.ThrowCorrupt(_filePath, "a record's column has a serial type its column cannot have, or runs past the record");
        ReadOnlySpan<byte> body = _record.Slice(_bodyAt, (int)length);
        _bodyAt += (int)length;
        return body;
    }

    /// <summary>Checks that the bodies walked end exactly at the record's end; call after the last <see cref="Next"/>.</summary>
    /// <exception cref="CorruptDatabaseException">The record has bytes after its last column.</exception>
    public readonly void CheckEnd()
    {
        if (_bodyAt != _record.Length)
            ThrowHelper.ThrowCorrupt(_filePath, "a record has bytes after its last column");
    }
}
