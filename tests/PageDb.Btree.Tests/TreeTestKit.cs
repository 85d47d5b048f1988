using System.Buffers.Binary;
using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Btree.Tests;

/// <summary>Small helpers shared by the tree tests: a tree over an in-memory accessor, key makers, checks.</summary>
internal static class TreeTestKit
{
    public static (InMemoryPageAccessor Pages, BTree Tree) NewTree(int pageSize = 4096, uint formatVersion = FileHeaderPage.CurrentFormatVersion)
    {
        var pages = new InMemoryPageAccessor(pageSize) { FormatVersion = formatVersion };
        return (pages, new BTree(pages, BTree.Create(pages)));
    }

    /// <summary>A big-endian key, so numeric order is byte order.</summary>
    public static byte[] Key(long n)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, n);
        return key;
    }

    public static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Runs the checker and asserts it found nothing; returns its result.</summary>
    public static BTreeVerification AssertValid(InMemoryPageAccessor pages, BTree tree, string context = "")
    {
        BTreeVerification check = BTreeVerifier.Verify(pages, tree.Root);
        Assert.That(check.Problems, Is.Empty, $"{context} {check}");
        Assert.That(pages.PinCount, Is.Zero, context + " pins left after the check");
        return check;
    }

    /// <summary>Asserts every live page is the tree's (tree + overflow), so none is lost.</summary>
    public static void AssertNoPageLost(InMemoryPageAccessor pages, BTreeVerification check, string context = "")
    {
        var live = new HashSet<uint>(pages.LivePages);
        var reached = new HashSet<uint>();
        foreach (PageNumber page in check.PagesReached)
            reached.Add(page.Value);
        Assert.That(live.SetEquals(reached), Is.True,
            $"{context} live pages {live.Count}, reached {reached.Count}: lost {string.Join(",", live.Except(reached).Take(10))}");
    }
}
