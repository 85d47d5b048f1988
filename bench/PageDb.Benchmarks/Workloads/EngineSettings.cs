namespace PageDb.Benchmarks.Workloads;

/// <summary>How the runner asks an engine to open.</summary>
/// <param name="Folder">An empty folder of its own; all of the engine's files go here.</param>
/// <param name="Durability">The commit durability for this run.</param>
/// <param name="CacheSizeBytes">The page cache every engine is given (where the engine lets one set it).</param>
/// <param name="Replication">PageDb engines only: replication to run beside the workload (the replication bench), or null.</param>
public sealed record EngineSettings(string Folder, BenchDurability Durability, long CacheSizeBytes, IDatabaseReplication? Replication = null);
