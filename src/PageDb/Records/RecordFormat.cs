namespace PageDb.Records;

/// <summary>
/// How a table's records are laid out, fixed when the table is created and recorded as the version byte of its
/// catalog definition (<see cref="SchemaEncoding"/>), so every record of one table has one format and tables
/// written by earlier builds stay readable.
/// </summary>
internal enum RecordFormat : byte
{
    /// <summary>Definition version 1: a fixed slot per column, key columns stored too (<see cref="RecordEncoding"/>).</summary>
    FixedSlots = 1,

    /// <summary>Definition version 2: a varint header of serial types, exact-key columns left to the key (<see cref="CompactRecordEncoding"/>).</summary>
    Compact = 2,

    /// <summary>Definition version 3: compact records, and Int64/DateTime key columns as <see cref="KeyFormat.CompactIntegers"/>.</summary>
    CompactKeys = 3,
}
