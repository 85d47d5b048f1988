namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>The repetitions of one workload on one engine, as they come in.</summary>
public sealed class ResultCell
{
    /// <summary>Status so far; once not <see cref="CellStatus.Ok"/>, the engine skips the workload's later repetitions.</summary>
    public CellStatus Status { get; private set; } = CellStatus.Ok;

    /// <summary>Why it failed, when it did.</summary>
    public string? Message { get; private set; }

    /// <summary>One array per measured repetition: the workload's metrics, then alloc B/op, then peak WS +MB.</summary>
    public List<double[]> Samples { get; } = [];

    /// <summary>Marks the cell failed (the first failure's message is kept).</summary>
    public void Fail(CellStatus status, string message)
    {
        if (Status == CellStatus.Ok)
        {
            Status = status;
            Message = message;
        }
    }
}
