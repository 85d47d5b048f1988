namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// An engine with an asynchronous commit (W9a): many tasks, not threads, wait for the writer slot and for their
/// commit's durability. Engines without one get no W9a number.
/// </summary>
public interface IAsyncCommitEngine
{
    /// <summary>
    /// As <see cref="IBenchmarkEngine.InsertInOwnTransaction"/>, awaiting the writer slot and the commit's durability
    /// without blocking a thread; completes once the commit is as durable as the engine's level promises.
    /// </summary>
    Task InsertInOwnTransactionAsync(BenchRow row);
}
