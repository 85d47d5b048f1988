namespace PageDb.Data;

/// <summary>
/// The databases the connections of this process have open, one per path (or per name for in-memory ones), counted
/// so the last connection to close disposes it. A file may be opened only once per process for writing, so every
/// connection to a path shares one <see cref="PageDatabase"/>.
/// </summary>
internal static class SharedDatabases
{
    private static readonly Lock Gate = new();

    // Guarded by Gate: the open databases by key, with the number of open connections using each.
    private static readonly Dictionary<string, (PageDatabase Database, int Users)> Open = new(StringComparer.Ordinal);

    /// <summary>The database for <paramref name="settings"/>, opened when no connection has it open.</summary>
    public static PageDatabase Acquire(ConnectionSettings settings)
    {
        string key = Key(settings);
        lock (Gate)
        {
            if (Open.TryGetValue(key, out var entry))
            {
                Open[key] = (entry.Database, entry.Users + 1);
                return entry.Database;
            }
            PageDatabase database = settings.Mode == PageDbOpenMode.Memory
                ? PageDatabase.OpenInMemory(new PageDbOptions { Durability = settings.Durability })
                : PageDatabase.Open(settings.DataSource, new PageDbOptions
                {
                    Durability = settings.Durability,
                    ReadOnly = settings.Mode == PageDbOpenMode.ReadOnly,
                    CreateIfMissing = settings.Mode == PageDbOpenMode.ReadWriteCreate,
                });
            Open[key] = (database, 1);
            return database;
        }
    }

    /// <summary>Gives back a database from <see cref="Acquire"/>; the last user closes it.</summary>
    public static void Release(ConnectionSettings settings)
    {
        string key = Key(settings);
        lock (Gate)
        {
            var entry = Open[key];
            if (entry.Users > 1)
            {
                Open[key] = (entry.Database, entry.Users - 1);
                return;
            }
            Open.Remove(key);
            entry.Database.Dispose();
        }
    }

    private static string Key(ConnectionSettings settings) =>
        settings.Mode == PageDbOpenMode.Memory ? "memory:" + settings.DataSource : "file:" + Path.GetFullPath(settings.DataSource);
}
