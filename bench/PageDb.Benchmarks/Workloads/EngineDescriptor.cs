namespace PageDb.Benchmarks.Workloads;

/// <summary>An engine the runner can compare: its command-line name and how to open it.</summary>
/// <param name="Name">Lower-case name used by <c>--engines</c> and as the table column (e.g. "sqlite").</param>
/// <param name="Describe">A one-line description with versions and settings, printed above the tables.</param>
/// <param name="Open">Opens the engine on a fresh, empty folder.</param>
public sealed record EngineDescriptor(string Name, Func<string> Describe, Func<EngineSettings, IBenchmarkEngine> Open);
