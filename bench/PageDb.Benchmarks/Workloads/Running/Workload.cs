namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// One comparison workload (W1..W10). <see cref="Run"/> does any untimed preparation, the timed part through a
/// <see cref="Meter"/>, then checks the engine's answers against the generator's and throws
/// <see cref="VerificationException"/> when they differ.
/// </summary>
public abstract class Workload
{
    /// <summary>"W1".."W10".</summary>
    public abstract string Id { get; }

    /// <summary>Short description for the table.</summary>
    public abstract string Title { get; }

    /// <summary>What <see cref="Run"/> returns, in order; the first is the headline.</summary>
    public abstract IReadOnlyList<MetricDefinition> Metrics { get; }

    /// <summary>Whether it starts from an empty database or from W1's rows.</summary>
    public abstract DatabaseKind Database { get; }

    /// <summary>Durability a fresh database is opened with (a loaded one always uses Normal).</summary>
    public virtual BenchDurability Durability => BenchDurability.Normal;

    /// <summary>Whether the runner measures the raw disk sync rate next to this workload.</summary>
    public virtual bool ComparesWithDisk => false;

    /// <summary>One repetition: returns one value per entry of <see cref="Metrics"/>, and the timed part's measurement.</summary>
    public abstract RepetitionResult Run(WorkloadContext context);
}
