using System.Diagnostics.CodeAnalysis;

namespace PageDb;

/// <summary>The type of a table column. The numeric values are stored in schemas on disk: never renumber them.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names are the public contract (API.md).")]
public enum ColumnType : byte
{
    /// <summary>A 64-bit signed integer (<see cref="long"/>).</summary>
    Int64 = 1,

    /// <summary>A 64-bit IEEE double. In keys, -0.0 equals 0.0 and every NaN equals NaN, which sorts first.</summary>
    Double = 2,

    /// <summary>A <see cref="bool"/>; false sorts before true.</summary>
    Boolean = 3,

    /// <summary>A string, stored as UTF-8; strings order by Unicode code point (ordinal UTF-8 bytes).</summary>
    String = 4,

    /// <summary>A byte array; arrays order as unsigned bytes, a prefix first.</summary>
    Bytes = 5,

    /// <summary>A <see cref="System.DateTime"/>, stored as UTC ticks (the value's Kind is not kept).</summary>
    DateTime = 6,

    /// <summary>A <see cref="decimal"/>; 1.0 and 1.00 are equal as keys.</summary>
    Decimal = 7,
}
