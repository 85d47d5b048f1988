namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>What a workload starts from.</summary>
public enum DatabaseKind
{
    /// <summary>Every repetition opens the engine on a new, empty folder.</summary>
    Fresh,

    /// <summary>Runs on one database per engine that holds W1's rows, loaded once, after one warm-up repetition.</summary>
    Loaded,
}
