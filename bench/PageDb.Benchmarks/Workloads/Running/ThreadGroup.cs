using System.Runtime.ExceptionServices;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// Bodies that run on threads of their own, released together by one start signal (W8's readers and writer, W9's
/// committers). The first exception of any body is kept and rethrown by <see cref="Run"/> once every thread has
/// ended; bodies that loop poll <see cref="Failed"/> to stop early when another one has thrown.
/// </summary>
/// <remarks>Build it (<see cref="Add"/>) and <see cref="Run"/> it from one thread; <see cref="Failed"/> may be read from any.</remarks>
public sealed class ThreadGroup
{
    private readonly List<(string Name, Action Body)> _bodies = [];
    private ExceptionDispatchInfo? _failure; // first exception of any body, set once by CompareExchange

    /// <summary>Whether a body has thrown.</summary>
    public bool Failed => Volatile.Read(ref _failure) is not null;

    /// <summary>Adds a body to run on a background thread named <paramref name="name"/>.</summary>
    public void Add(string name, Action body) => _bodies.Add((name, body));

    /// <summary>Starts every thread, releases them together, waits for all, and rethrows the first body's exception.</summary>
    public void Run()
    {
        using var start = new ManualResetEventSlim(initialState: false);
        var threads = new List<Thread>(_bodies.Count);
        foreach ((string name, Action body) in _bodies)
            threads.Add(new Thread(() => Guard(start, body)) { IsBackground = true, Name = name });
        foreach (Thread thread in threads)
            thread.Start();
        start.Set();
        foreach (Thread thread in threads)
            thread.Join();
        _failure?.Throw();
    }

    private void Guard(ManualResetEventSlim start, Action body)
    {
        try
        {
            start.Wait();
            body();
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
        }
    }
}
