using System.Globalization;
using PageDb;
using PageDb.ProcessChild;

// Usage: PageDb.ProcessChild <mode> <database path> [checkpoint threshold bytes]
//   writer        opens for writing (Durability.Full), prints "READY <last counter>", then commits forever: commit n
//                 puts the value of n under "v/<n>" (and deletes "v/<n-64>") and sets "counter" to n, in one
//                 transaction, and prints "ACK <n>" once Commit() returns.
//   table-writer  as writer, and each commit n also inserts row (n, 31 n) into the table "rows" and deletes row n-64.
//   hold-writer   opens for writing, prints "READY <last counter>" and waits to be killed.
//   hold-reader   opens read-only and prints "READ <counter> <digest of every entry> problems: <CheckIntegrity report>"
//                 at open and again for every line read from standard input, until killed (or the input ends).
//                 The check reads every page from the files again, not from the cache.
// PAGEDB_CHILD_LOCKS=FLock (any ProcessLockKind name) opens with that kind of OS locks instead of this platform's, so
// the tests run macOS's flock path on Linux. PAGEDB_CHILD_FILE_SYSTEM=Network opens as on a network file system.
// An open refused with DatabaseLockedException prints "LOCKED <message>" and exits with 3. Output is flushed per line.
if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: PageDb.ProcessChild writer|table-writer|hold-writer|hold-reader <database path> [checkpoint threshold bytes]");
    return 2;
}
string mode = args[0];
string path = args[1];
long threshold = args.Length == 3 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 256 << 10;
try
{
    using PageDatabase db = PageDatabase.Open(path, new PageDbOptions
    {
        ReadOnly = mode == "hold-reader",
        CreateIfMissing = mode != "hold-reader",
        Durability = Durability.Full,
        CheckpointThresholdBytes = threshold,
        ProcessLocks = Environment.GetEnvironmentVariable("PAGEDB_CHILD_LOCKS") is { } locks
            ? Enum.Parse<PageDb.Engine.Sharing.ProcessLockKind>(locks)
            : null,
        FileSystem = Environment.GetEnvironmentVariable("PAGEDB_CHILD_FILE_SYSTEM") is { } fileSystem
            ? Enum.Parse<PageDb.Engine.Sharing.FileSystemKind>(fileSystem)
            : null,
    });
    long counter = LiveValues.ReadCounter(db);
    if (mode == "hold-reader")
    {
        do
        {
            Console.WriteLine($"READ {LiveValues.ReadCounter(db)} {LiveValues.Digest(db):x16} problems: {db.CheckIntegrity()}");
        }
        while (Console.ReadLine() is not null);
        return 0;
    }
    Console.WriteLine($"READY {counter}");
    if (mode == "hold-writer")
        Thread.Sleep(Timeout.Infinite);
    for (long n = counter + 1; ; n++)
    {
        LiveValues.Commit(db, n, withRow: mode == "table-writer");
        Console.WriteLine($"ACK {n}");
    }
}
catch (DatabaseLockedException e)
{
    Console.WriteLine($"LOCKED {e.Message}");
    return 3;
}
