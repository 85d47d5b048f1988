namespace PageDb.Data;

/// <summary>How a <see cref="PageDbConnection"/> opens its database (the connection string's <c>Mode</c>).</summary>
public enum PageDbOpenMode
{
    /// <summary>Read and write; create the file when missing (the default).</summary>
    ReadWriteCreate,

    /// <summary>Read and write; the file must exist.</summary>
    ReadWrite,

    /// <summary>Read only; the file must exist.</summary>
    ReadOnly,

    /// <summary>An in-memory database, shared by the connections of the process that name the same Data Source.</summary>
    Memory,
}
