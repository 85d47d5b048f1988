using System.Buffers.Binary;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>Pages are logged without their free gap, so a small commit writes far less than whole pages.</summary>
public class WalFrameSizeTests
{
    [Test]
    public void A_one_row_commit_into_a_two_level_tree_logs_less_than_one_whole_page()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Storage = new MemoryStorage(), CheckpointThresholdBytes = 1L << 30 });
        Span<byte> key = stackalloc byte[8];
        for (long i = 0; i < 300; i++)
            Commit(db, key, i);
        long before = db.GetStats().WalBytes;
        const int Commits = 200;
        for (long i = 300; i < 300 + Commits; i++)
            Commit(db, key, i);
        long perCommit = (db.GetStats().WalBytes - before) / Commits;

        Assert.That(perCommit, Is.LessThan(4096), "each commit logs the leaf and the root, both without their zero gap");
        using ReadTransaction tx = db.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(300 + Commits));
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }

    private static void Commit(PageDatabase db, Span<byte> key, long id)
    {
        using WriteTransaction tx = db.BeginWrite();
        BinaryPrimitives.WriteInt64BigEndian(key, id);
        tx.GetOrCreateTree("t").Put(key, new byte[140]);
        tx.Commit();
    }
}
