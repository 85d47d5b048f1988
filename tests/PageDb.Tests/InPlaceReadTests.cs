using System.Text;
using Microsoft.Win32.SafeHandles;

namespace PageDb.Tests;

/// <summary>
/// Read transactions take pages of a real, mapped database file in place (<see cref="Core.Paging.InPlacePages"/>):
/// damage to the file is still refused as corruption by the read that first takes the damaged page, and a page a
/// checkpoint wrote again is checked again, even when an earlier read had verified the page it replaced. The file is
/// damaged through another descriptor, under the open database, as a disk or another program would.
/// </summary>
[TestFixture]
public sealed class InPlaceReadTests
{
    private const int PageSize = 4096;
    private const int Keys = 2000;
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        if (!LinuxNative.IsSupported)
            Assert.Ignore("pages are read in place only from a memory mapping, used only on Linux");
        _directory = Directory.CreateTempSubdirectory("pagedb-inplace-read-").FullName;
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (_directory is not null)
            Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void A_leaf_damaged_under_an_open_database_is_refused_by_the_read_that_takes_it()
    {
        string path = CreateDatabase();
        using PageDatabase db = PageDatabase.Open(path);
        using (ReadTransaction tx = db.BeginRead())
            Assert.That(tx.GetTree("t").Get(Key(0)), Is.EqualTo(Value("value", 0)));

        Damage(path, Value("value", 1500));

        using (ReadTransaction tx = db.BeginRead())
        {
            Tree tree = tx.GetTree("t");
            Assert.That(tree.Get(Key(1)), Is.EqualTo(Value("value", 1)), "pages nobody damaged are still read");
            Assert.That(() => tree.Get(Key(1500)), Throws.InstanceOf<CorruptDatabaseException>());
        }
    }

    [Test]
    public void A_leaf_a_checkpoint_wrote_again_is_checked_again_before_it_is_read_in_place()
    {
        string path = CreateDatabase();
        using PageDatabase db = PageDatabase.Open(path);
        ReadAll(db); // every leaf of the file is now verified
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.GetTree("t").Put(Key(1500), Value("fresh", 1500));
            tx.Commit();
        }
        db.Checkpoint(CheckpointMode.Truncate); // the leaf is copied into the file; the log restarts, so reads take the file's copy

        Damage(path, Value("fresh", 1500));

        using ReadTransaction read = db.BeginRead();
        Assert.That(() => read.GetTree("t").Get(Key(1500)), Throws.InstanceOf<CorruptDatabaseException>(),
            "the verified mark of the page the checkpoint replaced must not cover the new bytes");
    }

    [Test]
    public void Reads_in_place_beside_commits_and_checkpoints_see_each_snapshot_whole()
    {
        string path = CreateDatabase();
        using PageDatabase db = PageDatabase.Open(path);
        for (int round = 0; round < 20; round++)
        {
            using (ReadTransaction before = db.BeginRead())
            {
                using (WriteTransaction tx = db.BeginWrite())
                {
                    Tree tree = tx.GetTree("t");
                    for (int i = round; i < Keys; i += 20)
                        tree.Put(Key(i), Value($"r{round:D2}", i));
                    tx.Commit();
                }
                db.Checkpoint(CheckpointMode.Passive); // copies no further than the older snapshot
                Tree old = before.GetTree("t");
                for (int i = round; i < Keys; i += 20)
                {
                    Assert.That(old.Get(Key(i)), Is.EqualTo(Value("value", i)), $"round {round}, key {i}: the older snapshot");
                    if (round > 0)
                        Assert.That(old.Get(Key(i - 1)), Is.EqualTo(Value($"r{round - 1:D2}", i - 1)), $"round {round}, key {i - 1}: the older snapshot");
                }
            }
            if (round % 2 == 1)
                db.Checkpoint(CheckpointMode.Truncate); // all copied, the log restarts: later reads take every page from the file
        }
        ReadAll(db, i => Value($"r{i % 20:D2}", i));
    }

    private string CreateDatabase()
    {
        string path = Path.Combine(_directory, "db.pagedb");
        using PageDatabase db = PageDatabase.Open(path);
        using WriteTransaction tx = db.BeginWrite();
        Tree tree = tx.CreateTree("t");
        for (int i = 0; i < Keys; i++)
            tree.Put(Key(i), Value("value", i));
        tx.Commit();
        return path;
    }

    private static void ReadAll(PageDatabase db, Func<int, byte[]>? expected = null)
    {
        using ReadTransaction tx = db.BeginRead();
        Tree tree = tx.GetTree("t");
        for (int i = 0; i < Keys; i++)
            Assert.That(tree.Get(Key(i)), Is.EqualTo((expected ?? (k => Value("value", k)))(i)), $"key {i}");
    }

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"k{i:D5}");

    /// <summary>A value that appears once in the file: <paramref name="label"/>, the key's number, padding.</summary>
    private static byte[] Value(string label, int i) => Encoding.UTF8.GetBytes($"{label}-{i:D5}".PadRight(60, '.'));

    /// <summary>Flips a byte of the one page of the file holding <paramref name="value"/>, through another descriptor (without .NET's implicit flock).</summary>
    private static void Damage(string path, byte[] value)
    {
        using var handle = new SafeFileHandle(LinuxNative.Open(path, LinuxNative.ORdWr | LinuxNative.OCloExec, 0), ownsHandle: true);
        Assert.That(handle.IsInvalid, Is.False);
        var file = new byte[RandomAccess.GetLength(handle)];
        RandomAccess.Read(handle, file, 0);
        int at = file.AsSpan().IndexOf(value);
        Assert.That(at, Is.GreaterThan(0), "the value is in the database file");
        Assert.That(file.AsSpan(at + 1).IndexOf(value), Is.EqualTo(-1), "the value is in one page of the file");
        RandomAccess.Write(handle, new[] { (byte)(file[at + 10] ^ 0x5A) }, at + 10);
    }
}
