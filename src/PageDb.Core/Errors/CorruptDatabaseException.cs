namespace PageDb;

/// <summary>
/// A file's contents break PageDb's format rules: a bad checksum, a misplaced page, an impossible field.
/// Corrupt data is never returned; this is raised instead.
/// </summary>
public class CorruptDatabaseException : PageDbException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>, page <paramref name="pageNumber"/> (null when no single page is at fault).</summary>
    public CorruptDatabaseException(string filePath, long? pageNumber, string detail)
        : base(Describe(filePath, pageNumber, detail))
    {
        FilePath = filePath;
        PageNumber = pageNumber;
        Detail = detail;
    }

    /// <summary>The file found corrupt.</summary>
    public string FilePath { get; }

    /// <summary>The page found corrupt, or null when the fault is not in one page (a truncated file, a bad WAL header).</summary>
    public long? PageNumber { get; }

    /// <summary>What was found wrong, without the file and page (which <see cref="Exception.Message"/> also names).</summary>
    public string Detail { get; }

    private static string Describe(string filePath, long? pageNumber, string detail) =>
        pageNumber is { } n
            ? $"The database file '{filePath}' is corrupt at page {n}: {detail}."
            : $"The database file '{filePath}' is corrupt: {detail}.";
}
