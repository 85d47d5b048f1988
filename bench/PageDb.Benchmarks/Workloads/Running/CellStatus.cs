namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>How one engine fared on one workload.</summary>
public enum CellStatus
{
    /// <summary>Every repetition ran and its answers were right.</summary>
    Ok,

    /// <summary>An answer was wrong (<see cref="VerificationException"/>): no number is shown.</summary>
    Failed,

    /// <summary>The engine threw.</summary>
    Error,

    /// <summary>The engine has no API for the workload (it threw <see cref="NotSupportedException"/>): no number, and not a failure of the run.</summary>
    NotApplicable,
}
