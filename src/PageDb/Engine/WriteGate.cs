namespace PageDb.Engine;

/// <summary>
/// One writer at a time: write transactions and checkpoints hold the gate. Not reentrant: a thread that already holds
/// it and asks again waits for the timeout like anyone else. Not tied to a thread: any thread may release it.
/// <para>
/// A blocking waiter first spins for the gate itself (<see cref="SpinsBeforeSleep"/> rounds, yielding its processor
/// after the first few), retrying with a zero-timeout take that returns at once when another waiter won, and only then
/// waits in <see cref="SemaphoreSlim.Wait(TimeSpan)"/>. That wait spins too, but when the gate is released every
/// spinning waiter leaves its spin to take it under the semaphore's lock, and the losers go to sleep at once; concurrent
/// committers at <c>Durability.Full</c> come back from their group sync together and take the gate one after another,
/// so after the first hand-over of such a burst each later one would be a wake-up, which costs more than the holder's
/// whole commit. Here a loser keeps spinning.
/// </para>
/// </summary>
internal sealed class WriteGate : IDisposable
{
    /// <summary>
    /// How many times a blocking waiter spins (<see cref="SpinWait.SpinOnce(int)"/>, yielding after the first few)
    /// before it sleeps: as many as <see cref="Task.Wait()"/> spins before it blocks.
    /// </summary>
    private const int SpinsBeforeSleep = 35;

    private readonly SemaphoreSlim _semaphore = new(1, 1);

    /// <summary>
    /// Takes the gate, waiting up to <paramref name="timeout"/> after the short spin (see the type); throws
    /// <see cref="TimeoutException"/> after that. A zero timeout takes only a free gate, without spinning.
    /// </summary>
    public void Enter(TimeSpan timeout)
    {
        if (_semaphore.Wait(0) || (timeout != TimeSpan.Zero && SpinForGate()))
            return;
        if (!_semaphore.Wait(timeout))
            ThrowTimeout(timeout);
    }

    /// <summary>Spins for the gate (see the type); true when it was taken meanwhile.</summary>
    private bool SpinForGate()
    {
        var spinner = new SpinWait();
        for (int i = 0; i < SpinsBeforeSleep; i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (_semaphore.CurrentCount > 0 && _semaphore.Wait(0))
                return true;
        }
        return false;
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
