namespace PageDb.Engine;

/// <summary>
/// One writer at a time: write transactions and checkpoints hold the gate. Not reentrant: a thread that already holds
/// it and asks again waits for the timeout like anyone else. Not tied to a thread: any thread may release it.
/// </summary>
internal sealed class WriteGate : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    /// <summary>Takes the gate, waiting up to <paramref name="timeout"/>; throws <see cref="TimeoutException"/> after that.</summary>
    public void Enter(TimeSpan timeout)
    {
        if (!_semaphore.Wait(timeout))
            ThrowTimeout(timeout);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowTimeout(TimeSpan timeout) =>
        throw new TimeoutException($"Another write transaction held the database for longer than {timeout.TotalSeconds:0.###} s (PageDbOptions.WriteLockTimeout).");

    /// <summary>
    /// Takes the gate without blocking a thread, waiting up to <paramref name="timeout"/>; throws
    /// <see cref="TimeoutException"/> after that, or <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires first (the gate is then not taken).
    /// </summary>
    public async Task EnterAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
            ThrowTimeout(timeout);
    }

    /// <summary>Takes the gate only if it is free right now.</summary>
    public bool TryEnter() => _semaphore.Wait(0);

    /// <summary>Releases the gate.</summary>
    public void Exit() => _semaphore.Release();

    /// <inheritdoc/>
    public void Dispose() => _semaphore.Dispose();
}
