namespace PageDb;

/// <summary>
/// The files this process holds the exclusive writer lock on, by full path. flock already refuses a second lock
/// through another descriptor of the same process, but this makes the in-process rule independent of the OS
/// (and of file systems where flock is a no-op between descriptors), and is the whole lock where flock is unavailable.
/// Thread-safe.
/// </summary>
internal static class FileLockRegistry
{
    // Protects s_locked: the full paths of the files locked by some open file of this process.
    private static readonly Lock s_gate = new();
    private static readonly HashSet<string> s_locked = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers <paramref name="fullPath"/> as locked when no other file of this process holds it, and then runs
    /// <paramref name="takeOsLock"/>; returns false (and registers nothing) when either refuses.
    /// </summary>
    public static bool TryAcquire(string fullPath, Func<bool> takeOsLock)
    {
        lock (s_gate)
        {
            if (s_locked.Contains(fullPath) || !takeOsLock())
                return false;
            s_locked.Add(fullPath);
            return true;
        }
    }

    /// <summary>True when a file of this process holds the writer lock on <paramref name="fullPath"/>.</summary>
    public static bool IsHeld(string fullPath)
    {
        lock (s_gate)
            return s_locked.Contains(fullPath);
    }

    /// <summary>Forgets the lock on <paramref name="fullPath"/>.</summary>
    public static void Release(string fullPath)
    {
        lock (s_gate)
            s_locked.Remove(fullPath);
    }
}
