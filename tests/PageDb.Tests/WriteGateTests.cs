using PageDb.Engine;

namespace PageDb.Tests;

/// <summary>
/// The writer slot (<c>src/PageDb/Engine/WriteGate.cs</c>): one holder at a time whichever way a waiter gets it (at once,
/// while it spins, after it slept, or awaiting), and a timed-out waiter gets nothing.
/// </summary>
public class WriteGateTests
{
    [Test]
    public void Blocking_and_async_waiters_never_hold_the_gate_together()
    {
        const int Rounds = 4_000;
        using var gate = new WriteGate();
        int inside = 0;
        long unguarded = 0; // incremented without atomics: a lost update means two holders overlapped
        int overlaps = 0;

        void Hold()
        {
            if (Interlocked.Increment(ref inside) != 1)
                Interlocked.Increment(ref overlaps);
            long seen = unguarded;
            if ((seen & 7) == 0)
                Thread.Yield(); // sometimes keep the gate across a yield, so waiters spin and sleep
            unguarded = seen + 1;
            Interlocked.Decrement(ref inside);
        }

        var blocking = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                gate.Enter(TimeSpan.FromSeconds(30));
                try { Hold(); } finally { gate.Exit(); }
            }
        })).ToArray();
        foreach (Thread thread in blocking)
            thread.Start();
        Task[] awaiting = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                await gate.EnterAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
                try { Hold(); } finally { gate.Exit(); }
            }
        }))];
        foreach (Thread thread in blocking)
            thread.Join();
        Task.WaitAll(awaiting);

        Assert.That(overlaps, Is.Zero, "two holders at once");
        Assert.That(unguarded, Is.EqualTo(6L * Rounds), "an update made under the gate was lost");
    }

    [Test]
    public void A_waiter_that_times_out_does_not_hold_the_gate()
    {
        using var gate = new WriteGate();
        gate.Enter(TimeSpan.FromSeconds(1));

        Exception? failure = null;
        var waiter = new Thread(() =>
        {
            try { gate.Enter(TimeSpan.FromMilliseconds(20)); }
            catch (Exception e) { failure = e; }
        });
        waiter.Start();
        waiter.Join();

        Assert.That(failure, Is.InstanceOf<TimeoutException>());
        Assert.That(gate.TryEnter(), Is.False, "the holder still holds it");
        gate.Exit();
        Assert.That(gate.TryEnter(), Is.True, "the timed-out waiter took it after all");
        gate.Exit();
    }

    [Test]
    public void A_zero_timeout_takes_a_free_gate_and_refuses_a_held_one_at_once()
    {
        using var gate = new WriteGate();
        gate.Enter(TimeSpan.Zero);
        Assert.Throws<TimeoutException>(() => gate.Enter(TimeSpan.Zero));
        gate.Exit();
        Assert.That(gate.TryEnter(), Is.True);
        gate.Exit();
    }
}
