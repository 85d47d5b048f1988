namespace PageDb.Cli;

/// <summary>Opens the database a command names: read-only for commands that only look, for writing otherwise.</summary>
internal static class DatabaseOpener
{
    /// <summary>Opens an existing database without taking the writer lock or changing anything.</summary>
    public static PageDatabase OpenForReading(string path) =>
        PageDatabase.Open(RequireExisting(path), new PageDbOptions { ReadOnly = true, CreateIfMissing = false });

    /// <summary>Opens an existing database for writing; fails at once when another writer holds it.</summary>
    public static PageDatabase OpenForWriting(string path) =>
        PageDatabase.Open(RequireExisting(path), WriteOptions(createIfMissing: false));

    /// <summary>Opens a database for writing, creating it when it is missing (import, put).</summary>
    public static PageDatabase OpenOrCreate(string path) => PageDatabase.Open(path, WriteOptions(createIfMissing: true));

    /// <summary>The path, after checking the file exists: the engine's own error names the WAL or a directory.</summary>
    public static string RequireExisting(string path) =>
        File.Exists(path) ? path : throw new CliException($"database file not found: {path}");

    private static PageDbOptions WriteOptions(bool createIfMissing) => new()
    {
        CreateIfMissing = createIfMissing,
        WriteLockTimeout = TimeSpan.FromSeconds(5),
    };
}
