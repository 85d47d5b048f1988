using System.Buffers.Binary;
using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// A WAL written by a build of format version 1 (before zero-run elided frames) still opens; its generation goes on
/// without elided frames, so that build could still read it, until a restart writes a current header. Likewise a
/// version 2 log (one file) goes on in its one file, even while readers hold a restart back, until a restart writes a
/// version 3 header; only then may the log switch to its second file. A version 3 log (no count frames) goes on
/// logging whole root pages until a restart writes a version 4 header. A version 4 log (page 0 logged at every
/// growth, which that build reads as the database size) goes on logging page 0 when the database grows until a restart
/// writes a version 5 header.
/// </summary>
public class WalVersionTests
{
    private const string WalPath = DbPath + "-wal";
    private const string SecondWalPath = DbPath + "-wal2";

    [Test]
    public void A_version_1_log_is_read_continued_without_elided_frames_and_upgraded_at_the_next_restart()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
            Put(db, "t", ("a", "1"));
        MarkVersion1(storage);

        // Durability.None: an open that syncs restarts the log at once (StorageEngine.MakeRecoveredStateDurable).
        using (PageDatabase db = Open(storage, Durability.None))
        {
            using (ReadTransaction tx = db.BeginRead())
                Assert.That(Text(tx.GetTree("t").Get(Bytes("a"))), Is.EqualTo("1"));
            Put(db, "t", ("b", "2"));
            byte[] wal = storage.GetContents(WalPath);
            Assert.That(HeaderVersion(wal), Is.EqualTo(1u), "the generation keeps its header");
            Assert.That(FrameFlags(wal), Is.All.Zero, "no frame of a version 1 generation is elided");

            AssertRestartUpgrades(storage, db, () => Put(db, "t", ("c", "3")), WalFormat.FlagZeroRunElided);
        }

        AssertCountAfterReopen(storage, 3);
    }

    [Test]
    public void A_newer_version_is_refused_with_both_versions_named()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
            Put(db, "t", ("a", "1"));
        SetVersion(storage, WalFormat.Version + 1);

        var error = Assert.Throws<CorruptDatabaseException>(() => Open(storage).Dispose());
        Assert.That(error!.Message, Does.Contain($"unknown format version ({WalFormat.Version + 1}; this build reads 1 to {WalFormat.Version})"));
    }

    [Test]
    public void A_version_2_log_is_continued_in_its_one_file_until_a_restart_writes_version_3()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
            Put(db, "t", ("a", "1"));
        Assert.That(storage.GetContents(WalPath), Has.Length.EqualTo(WalFormat.HeaderSize), "a clean close truncates the log to its header");
        SetVersion(storage, 2);

        // Durability.None: an open that syncs restarts the log at once (StorageEngine.MakeRecoveredStateDurable).
        using (PageDatabase db = Open(storage, Durability.None))
        {
            Put(db, "t", ("b", "2"));
            using (db.BeginRead())
            {
                Put(db, "t", ("c", "3"));
                db.Checkpoint(CheckpointMode.Passive); // held back by the reader: a version 3 log would switch files here
                Put(db, "t", ("d", "4"));
            }
            Assert.That(storage.Exists(SecondWalPath), Is.False, "a version 2 generation never switches");
            Assert.That(HeaderVersion(storage.GetContents(WalPath)), Is.EqualTo(2u));

            db.Checkpoint(CheckpointMode.Passive); // no reader: restarts the log with a version 3 header
            Assert.That(HeaderVersion(storage.GetContents(WalPath)), Is.EqualTo(WalFormat.Version));
            Put(db, "t", ("e", "5"));
            using (db.BeginRead())
            {
                Put(db, "t", ("f", "6"));
                db.Checkpoint(CheckpointMode.Passive);
                Put(db, "t", ("g", "7"));
            }
            Assert.That(storage.Exists(SecondWalPath), Is.True, "a version 3 log switches files when a reader holds the restart back");
        }

        AssertCountAfterReopen(storage, 7);
    }

    [Test]
    public void A_version_3_log_is_continued_without_count_frames_until_a_restart_writes_version_4()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
            Put(db, "t", [.. Enumerable.Range(0, 300).Select(i => ($"key {i:D4}", new string('v', 40)))]);
        SetVersion(storage, 3);

        // Durability.None: an open that syncs restarts the log at once (StorageEngine.MakeRecoveredStateDurable).
        using (PageDatabase db = Open(storage, Durability.None))
        {
            for (int i = 0; i < 3; i++)
                Put(db, "t", ($"new {i}", "1")); // a leaf and the root's count each time
            byte[] wal = storage.GetContents(WalPath);
            Assert.That(HeaderVersion(wal), Is.EqualTo(3u), "the generation keeps its header");
            Assert.That(FrameFlags(wal), Has.None.EqualTo(WalFormat.FlagCount), "no frame of a version 3 generation is a count frame");

            AssertRestartUpgrades(storage, db, () =>
            {
                for (int i = 3; i < 6; i++)
                    Put(db, "t", ($"new {i}", "1")); // the first logs the root page, the next ones its count
            }, WalFormat.FlagCount);
        }

        AssertCountAfterReopen(storage, 306);
    }

    [Test]
    public void A_version_4_log_logs_page_0_at_every_growth_until_a_restart_writes_version_5()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
            Put(db, "t", ("a", "1"));
        SetVersion(storage, 4);

        // Durability.None: an open that syncs restarts the log at once (StorageEngine.MakeRecoveredStateDurable).
        using (PageDatabase db = Open(storage, Durability.None))
        {
            PutUntilGrown(db, 0);
            byte[] wal = storage.GetContents(WalPath);
            Assert.That(HeaderVersion(wal), Is.EqualTo(4u), "the generation keeps its header");
            Assert.That(WalSurgery.Frames(wal, 4096).Select(frame => frame.Page), Has.Some.EqualTo(0u), "a version 4 generation logs page 0 when the database grows");

            db.Checkpoint(CheckpointMode.Passive);
            PutUntilGrown(db, 1000);
            wal = storage.GetContents(WalPath);
            Assert.That(HeaderVersion(wal), Is.EqualTo(WalFormat.Version));
            Assert.That(WalSurgery.Frames(wal, 4096).Select(frame => frame.Page), Has.None.EqualTo(0u), "a version 5 generation grows without page 0");
        }

        using (PageDatabase db = Open(storage))
        {
            using ReadTransaction tx = db.BeginRead();
            Assert.That(tx.GetTree("t").Get(Bytes("a")), Is.Not.Null);
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }
    }

    /// <summary>Puts one row per commit, keys from <paramref name="first"/> up, until a commit grows the database.</summary>
    private static void PutUntilGrown(PageDatabase db, int first)
    {
        long pages = db.GetStats().PageCount;
        for (int i = first; db.GetStats().PageCount == pages; i++)
            Put(db, "t", ($"grow {i:D6}", new string('v', 150)));
    }

    /// <summary>
    /// Checkpoints with no reader open, which restarts the log with a current header, then runs <paramref name="commits"/>
    /// and checks that the log has the current version and a frame with <paramref name="flag"/>.
    /// </summary>
    private static void AssertRestartUpgrades(MemoryStorage storage, PageDatabase db, Action commits, ushort flag)
    {
        db.Checkpoint(CheckpointMode.Passive);
        commits();
        byte[] wal = storage.GetContents(WalPath);
        Assert.That(HeaderVersion(wal), Is.EqualTo(WalFormat.Version));
        Assert.That(FrameFlags(wal), Has.Some.EqualTo(flag));
    }

    private static void AssertCountAfterReopen(MemoryStorage storage, long count)
    {
        using PageDatabase db = Open(storage);
        using ReadTransaction tx = db.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(count));
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }

    /// <summary>Rewrites the (frameless, cleanly closed) log's header as version 1, as the earlier build left it.</summary>
    private static void MarkVersion1(MemoryStorage storage)
    {
        Assert.That(storage.GetContents(WalPath), Has.Length.EqualTo(WalFormat.HeaderSize), "a clean close truncates the log to its header");
        SetVersion(storage, 1);
    }

    private static void SetVersion(MemoryStorage storage, uint version)
    {
        byte[] wal = storage.GetContents(WalPath);
        BinaryPrimitives.WriteUInt32LittleEndian(wal.AsSpan(WalFormat.VersionOffset), version);
        var header = new WalHeader(wal);
        BinaryPrimitives.WriteUInt64LittleEndian(wal.AsSpan(WalFormat.HeaderChecksumOffset), header.ComputeChecksum());
        storage.SetContents(WalPath, wal);
    }

    private static uint HeaderVersion(byte[] wal) => new WalHeader(wal).Version;

    /// <summary>The flags of every frame of the current generation, up to the first that is not one of its frames.</summary>
    private static List<ushort> FrameFlags(byte[] wal)
    {
        var header = new WalHeader(wal);
        var flags = new List<ushort>();
        for (int offset = WalFormat.HeaderSize; offset + WalFormat.FrameHeaderSize <= wal.Length;)
        {
            var frame = new WalFrameHeader(wal.AsSpan(offset));
            int stored = frame.StoredLength(4096);
            if (frame.Salt1 != header.Salt1 || stored < 0)
                break;
            flags.Add(frame.Flags);
            offset += WalFormat.FrameSize(stored);
        }
        Assert.That(flags, Is.Not.Empty, "the log holds frames of this generation");
        return flags;
    }
}
