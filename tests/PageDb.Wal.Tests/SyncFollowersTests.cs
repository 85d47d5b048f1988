namespace PageDb.Wal.Tests;

/// <summary>
/// The followers of one group sync (<see cref="SyncFollowers"/>): every blocked thread and every awaiting task goes on
/// at the one release, whichever came first, the wait or the release.
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
    public async Task The_released_instance_lets_every_follower_look_again_at_once()
    {
        SyncFollowers.Released.Wait();
        await SyncFollowers.Released.WaitAsync();
    }
}
