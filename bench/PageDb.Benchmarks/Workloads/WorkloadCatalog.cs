using PageDb.Benchmarks.Workloads.Definitions;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads;

/// <summary>The workloads, in the order they run (W8 last of those on the loaded databases: its writer adds rows to them).</summary>
public static class WorkloadCatalog
{
    /// <summary>New instances of every workload (each caches its generated keys for one run).</summary>
    public static IReadOnlyList<Workload> CreateAll() =>
    [
        new W1BulkInsert(),
        new W2RandomInsert(),
        new W3PointLookups(),
        new W4FullScan(),
        new W5RangeScans(),
        new W6DurableCommits(),
        new W7RelaxedCommits(),
        new W8ConcurrentReaders(),
        new W9ConcurrentCommitters(),
        new W9ConcurrentCommitters(asynchronous: true),
        new W10PricingSummary(),
    ];
}
