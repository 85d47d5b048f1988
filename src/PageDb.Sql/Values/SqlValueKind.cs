using System.Diagnostics.CodeAnalysis;

namespace PageDb.Sql.Values;

/// <summary>The storage class of a SQL value, in SQLite's cross-type sort order (NULL first, BLOB last).</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "SQL's own names for its storage classes.")]
public enum SqlValueKind : byte
{
    /// <summary>NULL.</summary>
    Null = 0,

    /// <summary>A 64-bit signed integer.</summary>
    Integer = 1,

    /// <summary>A 64-bit IEEE double.</summary>
    Real = 2,

    /// <summary>A string.</summary>
    Text = 3,

    /// <summary>A byte array.</summary>
    Blob = 4,
}
