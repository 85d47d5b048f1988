using System.Text;

namespace PageDb.Tests;

/// <summary>Helpers shared by the engine's tests: databases over shared memory storage, and byte conversions.</summary>
internal static class TestDatabase
{
    public const string DbPath = "test.pagedb";

    /// <summary>
    /// Options over <paramref name="storage"/>, so a test can close and reopen the same files. Disposing a database
    /// opened with them runs <see cref="PageDatabase.CheckIntegrity"/> and fails the test on any problem (as bbolt's
    /// test helper does); a test that damages or fails its database on purpose uses <see cref="OptionsForDamage"/>.
    /// </summary>
    public static PageDbOptions Options(IStorage storage, Durability durability = Durability.Full, TimeSpan? writeLockTimeout = null) => new()
    {
        Storage = storage,
        Durability = durability,
        CacheSizeBytes = 1 << 20,
        WriteLockTimeout = writeLockTimeout ?? TimeSpan.FromSeconds(5),
        BeforeDispose = AssertIntact,
    };

    /// <summary>
    /// As <see cref="Options"/> without the integrity check on dispose: for tests whose database is damaged on
    /// purpose (page surgery, a failed sync, an I/O error), where the check would report the damage under test.
    /// </summary>
    public static PageDbOptions OptionsForDamage(IStorage storage, Durability durability = Durability.Full, TimeSpan? writeLockTimeout = null) => new()
    {
        Storage = storage,
        Durability = durability,
        CacheSizeBytes = 1 << 20,
        WriteLockTimeout = writeLockTimeout ?? TimeSpan.FromSeconds(5),
    };

    /// <summary>Polls <paramref name="condition"/> until it holds; false after 30 s (a bound, not a timing check).</summary>
    public static bool WaitUntil(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
                return false;
            Thread.Sleep(1);
        }
        return true;
    }

    /// <summary>The storage engine of <paramref name="db"/>, for tests that watch its parts.</summary>
    public static PageDb.Engine.StorageEngine EngineOf(PageDatabase db)
    {
        using ReadTransaction tx = db.BeginRead();
        return tx.Engine;
    }

    /// <summary>The write-ahead log of <paramref name="db"/>, for tests that watch its generations.</summary>
    public static PageDb.Wal.WriteAheadLog WalOf(PageDatabase db) => EngineOf(db).Wal;

    public static PageDatabase Open(IStorage storage, Durability durability = Durability.Full) =>
        PageDatabase.Open(DbPath, Options(storage, durability));

    /// <summary>As <see cref="Open"/> without the integrity check on dispose (see <see cref="OptionsForDamage"/>).</summary>
    public static PageDatabase OpenDamaged(IStorage storage, Durability durability = Durability.Full) =>
        PageDatabase.Open(DbPath, OptionsForDamage(storage, durability));

    /// <summary>Fails the test when <paramref name="db"/> does not check clean; the dispose hook of <see cref="Options"/>.</summary>
    public static void AssertIntact(PageDatabase db)
    {
        IntegrityReport report = db.CheckIntegrity();
        if (!report.IsOk)
            Assert.Fail($"The test database failed CheckIntegrity when disposed: {report}");
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>Puts <paramref name="pairs"/> into tree <paramref name="tree"/> in one committed transaction.</summary>
    public static void Put(PageDatabase db, string tree, params (string Key, string Value)[] pairs)
    {
        using WriteTransaction tx = db.BeginWrite();
        Tree t = tx.GetOrCreateTree(tree);
        foreach ((string key, string value) in pairs)
            t.Put(Bytes(key), Bytes(value));
        tx.Commit();
    }

    /// <summary>
    /// Puts key <c>k{i}</c> with a 300-byte value into tree <c>t</c> in one transaction; false when the database refused
    /// it with <see cref="PageDbIOException"/> (it failed earlier, perhaps in the background).
    /// </summary>
    public static bool TryPut(PageDatabase db, int i)
    {
        try
        {
            Put(db, "t", ($"k{i}", new string('v', 300)));
            return true;
        }
        catch (PageDbIOException)
        {
            return false;
        }
    }
}
