using PageDb.Core.Pages;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;

namespace PageDb.Wal.Tests;

/// <summary>
/// A switch at <c>Durability.Normal</c> after the background's sync ahead does not sync the file it leaves: the next
/// generation begins by logging again every page the unsynced commits changed (WriteAheadLog "Two log files", step 1).
/// A power loss may then keep any part of the older file's unsynced tail together with any part of the newer file's
/// frames; recovery must still end at one of the commits made, never at a mix of two.
/// </summary>
public class SwitchWithoutSyncTests
{
    private const string DatabasePath = "switch/db.pagedb";

    [Test]
    public void A_power_loss_after_a_switch_without_a_sync_recovers_exactly_one_commit_s_state()
    {
        int seed = TestSeed.Next();
        int relogged = 0;
        for (int round = 0; round < 300; round++)
            relogged += RunRound(seed + round) ? 1 : 0;
        Assert.That(relogged, Is.Positive, "no round switched without a sync");
    }

    /// <summary>One switch and power loss; returns whether the switch logged pages again (rather than syncing).</summary>
    private static bool RunRound(int seed)
    {
        var random = new Random(seed);
        var storage = new FaultInjectingStorage();
        var options = new WalOptions { PageSize = 4096, DatabaseId = 7, GrowthStep = 64 * 1024, SyncEnabled = true };
        var model = new CommittedPagesModel();
        var wal = WriteAheadLog.Open(storage, DatabasePath, options);
        for (int i = 0; i < random.Next(1, 6); i++)
            Commit(wal, model, random);
        wal.PrepareSwitch(); // the other file's header, and the current file synced ahead
        int synced = model.Commits;
        for (int i = 0; i < random.Next(1, 6); i++)
            Commit(wal, model, random);
        Assert.That(wal.IsSwitchPrepared, Is.True, TestSeed.Describe(seed));
        long framesBefore = wal.LastCommit.LastCommitFrame.Value;
        Assert.That(wal.TrySwitchFiles(), Is.True, TestSeed.Describe(seed));
        bool relogged = wal.LastCommit.LastCommitFrame.Value > framesBefore;
        for (int i = 0; i < random.Next(0, 4); i++)
            Commit(wal, model, random);
        storage.Crash(seed);
        wal.Dispose();

        using var recovered = WriteAheadLog.Open(storage, DatabasePath, options with { Failure = new FailureState() });
        recovered.Verify();
        int match = -1;
        for (int commit = model.Commits; commit >= synced && match < 0; commit--)
        {
            if (Matches(recovered, model.StateAfter(commit)))
                match = commit;
        }
        Assert.That(match, Is.GreaterThanOrEqualTo(synced),
            $"the recovered log is no commit's state from the synced one ({synced}) to the last ({model.Commits}); {TestSeed.Describe(seed)}");
        return relogged;
    }

    /// <summary>A commit of 1-3 random pages of 1-16 (every page image distinct).</summary>
    private static void Commit(WriteAheadLog wal, CommittedPagesModel model, Random random)
    {
        int count = random.Next(1, 4);
        uint size = Math.Max(17, model.AllPages.Count == 0 ? 0 : model.AllPages.Max() + 1);
        for (int i = 0; i < count; i++)
        {
            uint page = (uint)random.Next(1, 17);
            byte[] image = new byte[4096];
            random.NextBytes(image.AsSpan(0, random.Next(16, 4096)));
            model.Write(page, image);
            if (i < count - 1)
                wal.Append(new PageNumber(page), image);
            else
                wal.Commit(new PageNumber(page), image, size, sync: false);
        }
        model.Commit();
    }

    private static bool Matches(WriteAheadLog wal, IReadOnlyDictionary<uint, byte[]> state)
    {
        byte[] image = new byte[4096];
        for (uint page = 1; page <= 16; page++)
        {
            FrameIndex frame = wal.FindFrame(new PageNumber(page), wal.LastCommit);
            bool inLog = !frame.IsNone && wal.TryReadFrame(frame, image);
            if (state.TryGetValue(page, out byte[]? expected) ? !inLog || !image.AsSpan().SequenceEqual(expected) : inLog)
                return false;
        }
        return true;
    }
}
