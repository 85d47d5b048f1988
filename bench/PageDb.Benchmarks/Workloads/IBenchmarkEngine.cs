namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// One embedded database under comparison, opened on a fresh, empty folder (see <see cref="EngineDescriptor"/>).
/// An adapter uses its engine the way an application written for that engine would: prepared and reused commands,
/// the engine's own transaction API, its natural key order. It stores <see cref="BenchRow"/>s keyed by
/// <see cref="BenchRow.Id"/> (unique) and must give back exactly what was stored.
/// </summary>
/// <remarks>
/// Threads: the runner calls <see cref="BulkInsert"/> from one thread at a time, and <see cref="InsertInOwnTransaction"/>
/// from one thread too except in W9, where several threads call it at once (an adapter whose engine object is not
/// thread-safe serializes them, as an application would); any number of readers (each from
/// <see cref="OpenReader"/>, each used by one thread) may run at the same time as a writer (workload W8). The runner disposes
/// every reader before the engine. File sizes are measured by the runner from the folder, so an adapter does not
/// report them: every file it creates must live in <see cref="EngineSettings.Folder"/>.
/// </remarks>
public interface IBenchmarkEngine : IDisposable
{
    /// <summary>
    /// Inserts all <paramref name="rows"/> in ONE transaction and commits it (W1 ascending ids, W2 random ids).
    /// Ids are unique and not yet stored.
    /// </summary>
    void BulkInsert(ReadOnlyMemory<BenchRow> rows);

    /// <summary>
    /// Inserts one row in its own transaction and commits it at the durability the engine was opened with
    /// (W6, W7, the writer of W8, the committers of W9, concurrently); returns only once the commit is as durable as
    /// that level promises.
    /// </summary>
    void InsertInOwnTransaction(in BenchRow row);

    /// <summary>
    /// Opens a reader for one thread. Each call of a reader method is its own read transaction (as an autocommit
    /// statement is), and sees every transaction committed before the call.
    /// </summary>
    IBenchmarkReader OpenReader();

    /// <summary>
    /// Moves what the engine's log holds into its database files (a checkpoint or a memtable flush) and waits for it,
    /// so that their size (<see cref="EngineDescriptor.DatabaseFiles"/>) is the database's. W1 calls it after its timed
    /// part and after measuring every file. Engines without a log keep this default, which does nothing.
    /// </summary>
    void Checkpoint()
    {
    }
}
