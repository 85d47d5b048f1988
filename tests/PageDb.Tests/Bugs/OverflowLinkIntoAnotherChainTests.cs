using System.Buffers.Binary;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Issue #15: an overflow link moved into another value's chain whose rest has exactly the length the value needs
/// (4 hostile-fuzzer cases in 100,000, seed 331179219) read as a well-formed chain: <c>Get</c> returned the value's
/// prefix followed by the other value's bytes, without an error, while <c>CheckIntegrity</c> flagged the page reached
/// twice; and deleting or replacing the value freed the other value's pages, which a later write would reuse. Every
/// overflow page now records its chain's owner (a hash of the owning key), and every walk of a chain checks it.
/// </summary>
public class OverflowLinkIntoAnotherChainTests
{
    private const int PageSize = 4096;
    private const int NextOffset = 16; // overflow page: next link (u32)
    private const int ValueLength = 10_000; // a 237-byte prefix and a chain of three pages: 4,072 + 4,072 + 1,619 bytes

    [Test]
    public void A_link_into_the_middle_of_another_chain_is_refused()
    {
        (MemoryStorage storage, byte[] file) = TwoValues();
        uint second = Next(file, FirstPage(file, "b"));
        SetU32(file, PageSize, FirstPage(file, "a"), NextOffset, second); // before: Get("a") returned a's prefix, then b's bytes
        storage.SetContents(DbPath, file);

        AssertValueRefusedAndOtherIntact(storage);
    }

    [Test]
    public void A_cell_linking_to_another_values_chain_is_refused()
    {
        (MemoryStorage storage, byte[] file) = TwoValues();
        // Tree "t" is the leaf whose slot 0 holds key "a" (the catalog is a leaf too); a compact leaf cell (file format
        // version 2) is a one-byte header for a short key, then the key.
        uint leaf = PagesOfType(file, PageSize, PageType.BtreeLeaf).Single(p => Page(file, PageSize, p)[GetU16(file, PageSize, p, PointerArrayOffset) + 1] == 'a');
        int cell = GetU16(file, PageSize, leaf, PointerArrayOffset);
        int length = GetU16(file, PageSize, leaf, PointerArrayOffset + 2);
        SetU32(file, PageSize, leaf, cell + length - 4, FirstPage(file, "b")); // the cell's last 4 bytes: its chain's first page
        storage.SetContents(DbPath, file);

        AssertValueRefusedAndOtherIntact(storage);
    }

    private static void AssertValueRefusedAndOtherIntact(MemoryStorage storage)
    {
        using PageDatabase db = OpenDamaged(storage);
        Assert.That(db.CheckIntegrity().IsOk, Is.False);
        using (ReadTransaction read = db.BeginRead())
        {
            Tree tree = read.GetTree("t");
            var ex = Assert.Throws<CorruptDatabaseException>(() => tree.Get(Bytes("a")));
            Assert.That(ex!.Message, Does.Contain("another value's chain"));
            Assert.That(tree.Get(Bytes("b")), Is.EqualTo(Value(2)));
        }
        // Freeing "a"'s chain would free pages of "b": refused before anything is freed.
        AssertWriteRefused(db, tree => tree.Delete(Bytes("a")));
        AssertWriteRefused(db, tree => tree.Put(Bytes("a"), [1]));
    }

    private static void AssertWriteRefused(PageDatabase db, Action<Tree> write)
    {
        using WriteTransaction tx = db.BeginWrite();
        Assert.Throws<CorruptDatabaseException>(() => write(tx.GetTree("t")));
    }

    private static (MemoryStorage Storage, byte[] File) TwoValues()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = OpenDamaged(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree tree = tx.CreateTree("t");
            tree.Put(Bytes("a"), Value(1));
            tree.Put(Bytes("b"), Value(2));
            tx.Commit();
        }
        return (storage, storage.GetContents(DbPath));
    }

    private static byte[] Value(int seed)
    {
        var value = new byte[ValueLength];
        new Random(seed).NextBytes(value);
        return value;
    }

    /// <summary>The first overflow page of <paramref name="key"/>'s chain: one of its owner that no page links to.</summary>
    private static uint FirstPage(byte[] file, string key)
    {
        List<uint> overflow = PagesOfType(file, PageSize, PageType.Overflow);
        uint owner = OverflowChain.OwnerOf(Bytes(key));
        return overflow.Single(p => OverflowPage.GetOwner(Page(file, PageSize, p)) == owner && !overflow.Any(q => Next(file, q) == p));
    }

    private static uint Next(byte[] file, uint page) => BinaryPrimitives.ReadUInt32LittleEndian(Page(file, PageSize, page)[NextOffset..]);
}
