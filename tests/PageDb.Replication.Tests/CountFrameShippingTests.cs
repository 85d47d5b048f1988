using System.Buffers.Binary;
using PageDb.Engine;

namespace PageDb.Replication.Tests;

/// <summary>
/// A one-row insert into a two-level tree logs the root as a count frame (only its entry count changed), and the
/// pool keeps that root's image unsealed; a segment cut copies such a page from the pool, so it must ship it sealed,
/// or a restore or replica applying the segment finds a checksum mismatch.
/// </summary>
public sealed class CountFrameShippingTests
{
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-countframe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    /// <summary>
    /// Rows enough for a split, then single-row inserts each shipped in its own segment while the pool holds the
    /// roots they logged as count frames: the restore holds exactly the source's rows.
    /// </summary>
    [Test]
    public void Segments_of_one_row_inserts_into_a_two_level_tree_restore_to_the_source_state()
    {
        string storePath = Path.Combine(_scratch, "store");
        var store = new FolderReplicaStore(storePath);
        var model = new SortedDictionary<long, byte[]>();
        using (PageDatabase database = ReplicatorTests.OpenReplicated(store, Path.Combine(_scratch, "source.pagedb")))
        {
            using (WriteTransaction transaction = database.BeginWrite())
            {
                Tree tree = transaction.GetOrCreateTree("rows");
                for (long i = 0; i < 400; i += 2)
                    Put(tree, model, i);
                transaction.Commit();
            }
            ReplicatorTests.WaitUntilShipped(database);

            for (long i = 1; i < 20; i += 2)
            {
                using (WriteTransaction transaction = database.BeginWrite())
                {
                    Put(transaction.GetOrCreateTree("rows"), model, i);
                    transaction.Commit();
                }
                ReplicatorTests.WaitUntilShipped(database);
            }
            Assert.That(database.GetStats().Replication!.LastError, Is.Null);
            Assert.That(database.GetStats().Replication!.SegmentsShipped, Is.GreaterThanOrEqualTo(10), "one segment per insert");
        }

        string restoredPath = Path.Combine(_scratch, "restored.pagedb");
        PageDatabase.Restore(store, restoredPath);
        using PageDatabase restored = PageDatabase.Open(restoredPath);
        using ReadTransaction read = restored.BeginRead();
        Assert.That(read.TryGetTree("rows", out Tree? rows), Is.True);
        Assert.That(rows!.Count, Is.EqualTo(model.Count));
        foreach ((long key, byte[] value) in model)
            Assert.That(rows.Get(Key(key)), Is.EqualTo(value), $"row {key}");
    }

    private static void Put(Tree tree, SortedDictionary<long, byte[]> model, long key)
    {
        byte[] value = [.. Key(key), .. new byte[100]];
        tree.Put(Key(key), value);
        model[key] = value;
    }

    private static byte[] Key(long n)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, n);
        return key;
    }
}
