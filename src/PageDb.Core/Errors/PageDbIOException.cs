namespace PageDb;

/// <summary>
/// A read, write, sync or truncate failed. After a failed write or sync part-way through a commit the database
/// refuses further writes until it is reopened and recovered.
/// </summary>
public class PageDbIOException : PageDbException
{
    /// <summary>Creates the exception for a failed operation on <paramref name="filePath"/>.</summary>
    public PageDbIOException(string filePath, string operation, Exception? innerException)
        : base($"{operation} failed on '{filePath}': {innerException?.Message ?? "unknown error"}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public PageDbIOException(string filePath, string message)
        : base(message)
    {
        FilePath = filePath;
    }

    /// <summary>The file the operation was on.</summary>
    public string FilePath { get; }
}
