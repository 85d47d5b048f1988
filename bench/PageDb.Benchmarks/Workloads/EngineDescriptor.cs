namespace PageDb.Benchmarks.Workloads;

/// <summary>An engine the runner can compare: its command-line name and how to open it.</summary>
/// <param name="Name">Lower-case name used by <c>--engines</c> and as the table column (e.g. "sqlite").</param>
/// <param name="Describe">A one-line description with versions and settings, printed above the tables.</param>
/// <param name="Open">Opens the engine on a fresh, empty folder.</param>
/// <param name="DatabaseFiles">
/// A search pattern (as <see cref="Directory.EnumerateFiles(string, string)"/> takes) for the files in the engine's folder
/// that hold the database itself, without its write-ahead log, journal, lock or shared-memory files (e.g.
/// "bench.sqlite", "*.sst"); null when unknown, and W1's "db file MB" then reads n/a.
/// </param>
public sealed record EngineDescriptor(string Name, Func<string> Describe, Func<EngineSettings, IBenchmarkEngine> Open, string? DatabaseFiles = null);
