using System.Runtime.InteropServices;
using LightningDB;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// LMDB through LightningDB, set up as LMDB's documentation recommends: one environment with a map size well above
/// what the workloads write, the unnamed database keyed by the ids in <see cref="PageDbRowCodec"/>'s byte order, and
/// read transactions reset and renewed instead of begun anew (<c>mdb_txn_reset</c>/<c>mdb_txn_renew</c>), with
/// <c>MDB_NOTLS</c> so a reader's slot belongs to its transaction object rather than to a thread.
/// </summary>
/// <remarks>
/// Durability: <see cref="BenchDurability.Full"/> is LMDB's default (data pages and the meta page synced at every
/// commit); <see cref="BenchDurability.Normal"/> is <c>MDB_NOMETASYNC</c>, which LMDB documents as keeping database
/// integrity while a system crash may undo the last commit (<c>MDB_NOSYNC</c> is not used: without a file system that
/// keeps write order it may corrupt the database, which the bench's relaxed level does not allow). LMDB has no page
/// cache of its own: reads are served from the memory-mapped file through the OS page cache, so
/// <see cref="EngineSettings.CacheSizeBytes"/> changes nothing. Bulk loads use plain puts, not <c>MDB_APPEND</c>,
/// since no engine is told that W1's ids arrive in order.
/// <para>
/// LightningDB 0.24.0's bundled <c>liblmdb.so</c> needs glibc 2.38; on older systems (Debian 12 has 2.36) the runtime
/// falls back to the system library, which Debian's <c>liblmdb-dev</c> package installs (see README.md).
/// </para>
/// </remarks>
public sealed class LmdbEngine : IBenchmarkEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("lmdb", Describe, settings => new LmdbEngine(settings), "data.mdb");

    /// <summary>Far above W1's and W8's data (about 300 MB at full sizes); LMDB grows the file only as it writes.</summary>
    private const long MapSizeBytes = 16L << 30;

    /// <summary>Whether the runtime finds a loadable "lmdb" the way LightningDB's P/Invokes look for it.</summary>
    private static readonly Lazy<bool> s_libraryLoads =
        new(() => NativeLibrary.TryLoad("lmdb", typeof(LightningEnvironment).Assembly, searchPath: null, out _));

    private static string? s_libraryVersion; // set by the first engine that opens

    private readonly LightningEnvironment _environment;
    private readonly LightningDatabase _database;
    // Used only inside a write transaction, so LMDB's writer lock keeps concurrent committers (W9) apart.
    private readonly byte[] _key = new byte[PageDbRowCodec.KeyLength];
    private byte[] _value = new byte[512];

    private LmdbEngine(EngineSettings settings)
    {
        _environment = OpenEnvironment(settings);
        s_libraryVersion = _environment.Version.Version;
        using LightningTransaction transaction = _environment.BeginTransaction();
        _database = transaction.OpenDatabase(configuration: new DatabaseConfiguration { Flags = DatabaseOpenFlags.Create });
        transaction.Commit().ThrowOnError();
    }

    /// <inheritdoc/>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows)
    {
        using LightningTransaction transaction = _environment.BeginTransaction();
        foreach (ref readonly BenchRow row in rows.Span)
            Put(transaction, row);
        transaction.Commit().ThrowOnError();
    }

    /// <summary>Thread-safe: LMDB's writer lock makes concurrent callers (W9) wait for each other.</summary>
    public void InsertInOwnTransaction(in BenchRow row)
    {
        using LightningTransaction transaction = _environment.BeginTransaction();
        Put(transaction, row);
        transaction.Commit().ThrowOnError();
    }

    /// <inheritdoc/>
    public IBenchmarkReader OpenReader() => new LmdbReader(_environment, _database);

    /// <inheritdoc/>
    public void Dispose()
    {
        _database.Dispose();
        _environment.Dispose();
    }

    private void Put(LightningTransaction transaction, in BenchRow row)
    {
        PageDbRowCodec.WriteKey(row.Id, _key);
        transaction.Put(_database, _key, PageDbRowCodec.EncodeValue(row, ref _value)).ThrowOnError();
    }

    private static LightningEnvironment OpenEnvironment(EngineSettings settings)
    {
        // Checked before LightningDB is called: an environment whose constructor fails to load the library throws
        // again from its finalizer, which ends the process.
        if (!s_libraryLoads.Value)
        {
            throw new InvalidOperationException(
                "LMDB's native library could not be loaded. LightningDB's bundled liblmdb.so needs glibc 2.38; on Debian 12 " +
                "install the system library with 'apt-get install -y liblmdb-dev' (see README.md, Benchmarks).");
        }
        var environment = new LightningEnvironment(settings.Folder, new EnvironmentConfiguration { MapSize = MapSizeBytes });
        EnvironmentOpenFlags flags = EnvironmentOpenFlags.NoThreadLocalStorage;
        if (settings.Durability == BenchDurability.Normal)
            flags |= EnvironmentOpenFlags.NoMetaSync;
        environment.Open(flags);
        return environment;
    }

    private static string Describe() =>
        $"{s_libraryVersion ?? "LMDB (native library not loaded)"} via LightningDB {typeof(LightningEnvironment).Assembly.GetName().Version}; " +
        "default sync (full), MDB_NOMETASYNC (relaxed), MDB_NOTLS, reset/renewed read transactions, big-endian id keys";
}
