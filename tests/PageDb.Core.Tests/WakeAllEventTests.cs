using NUnit.Framework;
using PageDb.Testing;

namespace PageDb.Core.Tests;

/// <summary>
/// <see cref="WakeAllEvent"/>: a waiter that read a generation returns once a later <see cref="WakeAllEvent.WakeAll"/>
/// happened, whether it was asleep, spinning or not yet waiting, so no wake-up is lost; with the futex and with the
/// monitor used where there is none.
/// </summary>
[TestFixture]
public sealed class WakeAllEventTests
{
    [Test]
    public void A_wait_for_a_generation_already_passed_returns_at_once([Values(true, false)] bool futex)
    {
        if (futex && !LinuxNative.IsSupported)
            Assert.Ignore("no futex on this platform");
        var wakeAll = new WakeAllEvent(futex);
        int generation = wakeAll.Generation;
        wakeAll.WakeAll();
        Assert.That(wakeAll.Generation, Is.Not.EqualTo(generation));
        wakeAll.Wait(generation); // would sleep forever if it waited for a wake-up already sent
    }

    [Test]
    public void Every_waiter_sees_every_wake_up_with_none_lost([Values(true, false)] bool futex)
    {
        if (futex && !LinuxNative.IsSupported)
            Assert.Ignore("no futex on this platform");
        int seed = TestSeed.Next();
        const int Waiters = 7, Rounds = 2_000;
        var wakeAll = new WakeAllEvent(futex);
        // The model: the round the waker has finished. A waiter reads the generation while its condition (a later
        // round) is false, as GroupSync's followers read it under the lock, then waits; it must see every round end.
        int finished = 0;
        var gate = new object();
        var seen = new int[Waiters];
        var waiters = Enumerable.Range(0, Waiters).Select(w => new Thread(() =>
        {
            var random = new Random(seed + w);
            while (true)
            {
                int generation;
                lock (gate)
                {
                    if (finished == Rounds)
                        return;
                    seen[w] = finished;
                    generation = wakeAll.Generation;
                }
                if (random.Next(4) == 0)
                    Thread.Yield(); // sometimes late to the wait: the wake-up may already have been sent
                wakeAll.Wait(generation);
            }
        })).ToArray();
        foreach (Thread waiter in waiters)
        {
            waiter.IsBackground = true; // a waiter that slept through its wake-up must not keep the test run alive
            waiter.Start();
        }

        var pace = new Random(seed);
        for (int round = 1; round <= Rounds; round++)
        {
            lock (gate)
                finished = round;
            wakeAll.WakeAll();
            if (pace.Next(3) == 0)
                Thread.Sleep(0);
        }
        foreach (Thread waiter in waiters)
            Assert.That(waiter.Join(TimeSpan.FromMinutes(2)), Is.True, $"a waiter slept through its wake-up ({TestSeed.Describe(seed)}; rounds seen {string.Join(", ", seen)})");
    }
}
