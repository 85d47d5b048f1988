namespace PageDb.Records;

/// <summary>
/// How a table's keys (its primary key, row id and index keys) encode Int64 and DateTime columns, fixed by the
/// table's definition version (<see cref="RecordFormat"/>) so every key of one table has one form.
/// </summary>
internal enum KeyFormat : byte
{
    /// <summary>Definition versions 1 and 2: a 0x01 tag and 8 bytes (<see cref="KeyEncoding"/>).</summary>
    Tagged = 1,

    /// <summary>Definition version 3: one head byte giving sign and length, then only the significant bytes.</summary>
    CompactIntegers = 2,
}
