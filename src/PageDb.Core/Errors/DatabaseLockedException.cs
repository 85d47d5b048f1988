namespace PageDb;

/// <summary>The database file is already open for writing, by another process or another open instance.</summary>
public class DatabaseLockedException : PageDbException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    public DatabaseLockedException(string filePath)
        : base($"The database file '{filePath}' is locked: another process or instance has it open for writing.")
    {
        FilePath = filePath;
    }

    /// <summary>Creates the exception for <paramref name="filePath"/>, saying why it may not be opened now.</summary>
    public DatabaseLockedException(string filePath, string reason)
        : base($"The database file '{filePath}' is locked: {reason}")
    {
        FilePath = filePath;
    }

    /// <summary>The locked file.</summary>
    public string FilePath { get; }
}
