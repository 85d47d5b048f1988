using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// The database the free-list damage tests start from: a tree "kept" of <see cref="Entries"/> small entries, and the
/// pages of a dropped tree, "doomed", filling the free list (one trunk). Tests damage its bytes, then check that
/// "kept" still reads as written.
/// </summary>
internal static class FreeListFixture
{
    public const int PageSize = 4096;
    public const int Entries = 300;

    /// <summary>Creates the database in a new <see cref="MemoryStorage"/> at <see cref="TestDatabase.DbPath"/>.</summary>
    public static MemoryStorage WithFreePages()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = OpenDamaged(storage);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree kept = tx.CreateTree("kept");
            Tree doomed = tx.CreateTree("doomed");
            for (int i = 0; i < Entries; i++)
            {
                kept.Put(Bytes($"key {i:D4}"), Bytes($"value {i}"));
                doomed.Put(Bytes($"key {i:D4}"), new byte[200]);
            }
            tx.Commit();
        }
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.DropTree("doomed"); // its pages fill the free list
            tx.Commit();
        }
        return storage;
    }

    /// <summary>Asserts that every <paramref name="step"/>th entry of "kept" reads as written, and its count.</summary>
    public static void AssertKeptIntact(PageDatabase db, int step = 1)
    {
        using ReadTransaction read = db.BeginRead();
        Tree kept = read.GetTree("kept");
        Assert.That(kept.Count, Is.EqualTo(Entries));
        for (int i = 0; i < Entries; i += step)
            Assert.That(Text(kept.Get(Bytes($"key {i:D4}"))), Is.EqualTo($"value {i}"));
    }
}
