using System.Text;
using PageDb.Core.Pages;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// A small database closed cleanly (everything checkpointed into the file) over memory storage, whose file a test then
/// changes with <see cref="PageSurgery"/> (checksums recomputed) to play a buggy tool or an attacker.
/// </summary>
internal sealed class HostileDatabase
{
    public const int PageSize = 4096;
    public static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    private HostileDatabase()
    {
    }

    public MemoryStorage Storage { get; } = new();

    /// <summary>Tree "t" holding keys k000..k039 (20-byte values) with every third key from k001 deleted, so its leaf has freeblocks.</summary>
    public static HostileDatabase WithHoles()
    {
        var hostile = new HostileDatabase();
        using (PageDatabase db = Open(hostile.Storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree tree = tx.CreateTree("t");
            for (int i = 0; i < 40; i++)
                tree.Put(Key(i), Encoding.UTF8.GetBytes($"value {i:D3} .........."));
            for (int i = 1; i < 40; i += 3)
                tree.Delete(Key(i));
            tx.Commit();
        }
        return hostile;
    }

    public static byte[] Key(int i) => Encoding.UTF8.GetBytes($"k{i:D3}");

    /// <summary>The database file's bytes: change them, then <see cref="Save"/>.</summary>
    public byte[] File() => Storage.GetContents(DbPath);

    public void Save(byte[] file) => Storage.SetContents(DbPath, file);

    /// <summary>The one page of <paramref name="type"/> (fails when there are several).</summary>
    public uint OnlyPage(PageType type) => PageSurgery.PagesOfType(File(), PageSize, type).Single();

    /// <summary>The leaf page holding the data of tree "t": the leaf with freeblocks.</summary>
    public uint LeafWithFreeblocks() =>
        PageSurgery.PagesOfType(File(), PageSize, PageType.BtreeLeaf)
            .Single(page => PageSurgery.GetU16(File(), PageSize, page, PageSurgery.FirstFreeblockOffset) != 0);

    /// <summary>Opens the database and runs <paramref name="action"/> within the time limit (a hang fails).</summary>
    public void Run(Action<PageDatabase> action, string context) =>
        PageSurgery.WithinTimeLimit(() =>
        {
            using PageDatabase db = OpenDamaged(Storage);
            action(db);
            return true;
        }, CaseLimit, context);
}
