using PageDb.Engine;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// The background checkpointer's wake-up rule (src/PageDb/Engine/BackgroundCheckpointer.cs), with a step of the
/// test's own in place of the engine's: every signal is followed by a step that starts after it (no lost wake-up),
/// and only the first signal since the thread last woke sets the event, so a writer signalling at every commit costs
/// one event per need.
/// </summary>
public class BackgroundWakeUpTests
{
    [Test]
    public void Signals_that_arrive_during_a_step_set_the_event_once_and_get_one_more_step()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int steps = 0;
        var background = new BackgroundCheckpointer(() =>
        {
            if (Interlocked.Increment(ref steps) == 1)
            {
                entered.Set();
                release.Wait();
            }
            return true;
        }, new FailureState(), "wake.pagedb");
        try
        {
            background.Signal();
            Assert.That(entered.Wait(TimeSpan.FromSeconds(30)), Is.True, "the first signal woke the thread");
            Assert.That(background.WakeUpsSet, Is.EqualTo(1));

            for (int i = 0; i < 1000; i++)
                background.Signal();
            Assert.That(background.WakeUpsSet, Is.EqualTo(2), "of 1000 signals during the step, the first set the event");

            release.Set();
            Assert.That(WaitUntil(() => Volatile.Read(ref steps) == 2), Is.True, "the signals during the step got one more step");
        }
        finally
        {
            release.Set();
            background.Dispose();
        }
    }

    [Test]
    public void Every_need_signalled_is_handled_while_signals_race_the_steps_from_several_threads()
    {
        int seed = TestSeed.Next();
        const int Signallers = 3;
        int rounds = TestSeed.LongRun ? 2000 : 200;
        var stepRandom = new Random(seed);

        // The needs: a signaller adds one, then signals; a step takes all there are, or, now and then, is held back
        // (as by a reader) and takes none, so the thread polls instead of waiting.
        int queued = 0;
        long handled = 0;
        var background = new BackgroundCheckpointer(() =>
        {
            if (stepRandom.Next(16) == 0)
                return false;
            Interlocked.Add(ref handled, Interlocked.Exchange(ref queued, 0));
            Thread.SpinWait(stepRandom.Next(200));
            return true;
        }, new FailureState(), "wake.pagedb");

        using var roundEnd = new Barrier(Signallers + 1);
        long posted = 0;
        var threads = new Thread[Signallers];
        for (int t = 0; t < Signallers; t++)
        {
            var random = new Random(seed + 1 + t);
            threads[t] = new Thread(() =>
            {
                for (int round = 0; round < rounds; round++)
                {
                    int needs = random.Next(30);
                    for (int i = 0; i < needs; i++)
                    {
                        Interlocked.Increment(ref queued);
                        Interlocked.Increment(ref posted);
                        background.Signal();
                        if (random.Next(8) == 0)
                            Thread.Yield();
                        else
                            Thread.SpinWait(random.Next(100));
                    }
                    roundEnd.SignalAndWait();
                    roundEnd.SignalAndWait(); // the test checked the round
                }
            })
            { IsBackground = true };
            threads[t].Start();
        }

        try
        {
            for (int round = 0; round < rounds; round++)
            {
                roundEnd.SignalAndWait();
                long postedNow = Interlocked.Read(ref posted);
                bool allHandled = WaitUntil(() => Interlocked.Read(ref handled) == postedNow);
                Assert.That(allHandled, Is.True,
                    $"round {round}: {Interlocked.Read(ref handled)} of {postedNow} needs handled, {Volatile.Read(ref queued)} left behind; {TestSeed.Describe(seed)}");
                roundEnd.SignalAndWait();
            }
            Assert.That(background.WakeUpsSet, Is.LessThanOrEqualTo(Interlocked.Read(ref posted)), TestSeed.Describe(seed));
        }
        finally
        {
            roundEnd.Dispose();
            background.Dispose();
        }
        foreach (Thread thread in threads)
            thread.Join();
    }

    [Test]
    public void Signals_racing_the_close_neither_throw_nor_wake_a_stopped_thread()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int steps = 0;
            var background = new BackgroundCheckpointer(() =>
            {
                Interlocked.Increment(ref steps);
                return true;
            }, new FailureState(), "wake.pagedb");
            using var go = new ManualResetEventSlim();
            Exception? thrown = null;
            var signaller = new Thread(() =>
            {
                go.Set();
                try
                {
                    for (int i = 0; i < 20_000; i++)
                        background.Signal();
                }
                catch (Exception e)
                {
                    thrown = e;
                }
            });
            signaller.Start();
            go.Wait();
            background.Dispose();
            int stepsAtClose = Volatile.Read(ref steps);
            signaller.Join();
            Assert.That(thrown, Is.Null, $"attempt {attempt}");
            Assert.That(Volatile.Read(ref steps), Is.EqualTo(stepsAtClose), $"attempt {attempt}: no step after the close");
        }
    }
}
