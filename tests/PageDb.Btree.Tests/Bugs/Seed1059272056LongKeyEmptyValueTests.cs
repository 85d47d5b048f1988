using PageDb.Testing;

namespace PageDb.Btree.Tests.Bugs;

/// <summary>
/// Found by the model test (PAGEDB_SEED=1059272056, 4 KB pages): a key longer than 1,003 bytes with an empty value made
/// a cell over the local limit whose local value prefix was already the whole (empty) value, so Put asked for an
/// overflow chain of zero bytes and threw. An empty value now always stays inline.
/// </summary>
public class Seed1059272056LongKeyEmptyValueTests
{
    [TestCase(1004)]
    [TestCase(1024)]
    public void A_long_key_with_an_empty_value_is_stored_inline(int keyLength)
    {
        var pages = new InMemoryPageAccessor();
        var tree = new BTree(pages, BTree.Create(pages));
        var key = new byte[keyLength];
        key[0] = 7;
        tree.Put(key, []);
        Assert.That(tree.Get(key), Is.Empty);
        Assert.That(BTreeVerifier.Verify(pages, tree.Root).IsOk, Is.True);
        Assert.That(pages.LivePageCount, Is.EqualTo(1), "no overflow page was allocated");
        Assert.That(tree.Delete(key), Is.True);
        Assert.That(pages.PinCount, Is.Zero);
    }
}
