namespace PageDb.Wal.Tests;

/// <summary>
/// The followers of one group sync (<see cref="SyncFollowers"/>): every blocked thread and every awaiting task goes on
/// at the one release, whichever came first, the wait or the release; a wake of one lets exactly one go on.
/// </summary>
public sealed class SyncFollowersTests
{
    [Test]
    public void Threads_blocked_before_the_release_all_go_on()
    {
        var followers = new SyncFollowers();
        using var waiting = new CountdownEvent(4);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            waiting.Signal();
            followers.Wait();
        })).ToList();
        threads.ForEach(t => t.Start());
        waiting.Wait();

        followers.Release();

        threads.ForEach(t => t.Join());
    }

    [Test]
    public async Task Awaits_made_before_and_after_the_release_all_complete()
    {
        var followers = new SyncFollowers();
        Task before = followers.WaitAsync();
        Assert.That(before.IsCompleted, Is.False);

        followers.Release();

        await before;
        await followers.WaitAsync();
        followers.Wait();
    }

    [Test]
    public async Task An_await_racing_the_release_never_hangs()
    {
        for (int round = 0; round < 2_000; round++)
        {
            var followers = new SyncFollowers();
            var release = Task.Run(followers.Release);
            Task awaited = followers.WaitAsync();
            await release;
            await awaited.WaitAsync(TimeSpan.FromMinutes(1)); // a hang fails the test instead of the run
        }
    }

    [Test]
    public void A_wake_of_one_lets_exactly_one_blocked_thread_go_on_and_the_others_sleep_until_the_release()
    {
        var followers = new SyncFollowers();
        int goneOn = 0;
        using var first = new SemaphoreSlim(0);
        var threads = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            followers.Wait();
            Interlocked.Increment(ref goneOn);
            first.Release();
        })).ToList();
        threads.ForEach(t => t.Start());
        SpinWait.SpinUntil(() => followers.BlockedCount == 3);

        followers.WakeOne();
        first.Wait();

        // The woken thread left Wait before it counted; the two others never leave it before the release.
        Assert.That((Volatile.Read(ref goneOn), followers.BlockedCount), Is.EqualTo((1, 2)));
        followers.Release();
        threads.ForEach(t => t.Join());
        Assert.That(goneOn, Is.EqualTo(3));
    }

    [Test]
    public async Task A_wake_of_one_completes_only_the_oldest_await()
    {
        var followers = new SyncFollowers();
        Task oldest = followers.WaitAsync();
        Task newer = followers.WaitAsync();

        followers.WakeOne();

        await oldest;
        Assert.That(newer.IsCompleted, Is.False);
        followers.Release();
        await newer;
    }

    [Test]
    public async Task A_wake_of_one_with_nobody_waiting_goes_to_the_next_follower_only()
    {
        var followers = new SyncFollowers();

        followers.WakeOne();

        await followers.WaitAsync();
        Assert.That(followers.WaitAsync().IsCompleted, Is.False);
        followers.Release();
    }

    [Test]
    public void A_wake_of_one_after_the_release_changes_nothing()
    {
        var followers = new SyncFollowers();
        followers.Release();

        followers.WakeOne();

        followers.Wait();
        Assert.That(followers.WaitAsync().IsCompleted, Is.True);
    }

    [Test]
    public async Task The_released_instance_lets_every_follower_look_again_at_once()
    {
        SyncFollowers.Released.Wait();
        await SyncFollowers.Released.WaitAsync();
    }
}
