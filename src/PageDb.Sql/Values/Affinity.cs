namespace PageDb.Sql.Values;

/// <summary>
/// A column's type affinity (SQLite's rules): the conversion applied to a value stored in the column and to the other
/// operand of a comparison with it.
/// </summary>
internal enum Affinity : byte
{
    /// <summary>No conversion (an expression that is not a column or a CAST).</summary>
    None,

    /// <summary>Text that looks like a number becomes the number; an integral real becomes an integer.</summary>
    Integer,

    /// <summary>Text that looks like a number, and any integer, becomes a real.</summary>
    Real,

    /// <summary>Numbers become their text.</summary>
    Text,

    /// <summary>Text that looks like a number becomes the number, integers preferred.</summary>
    Numeric,
}
