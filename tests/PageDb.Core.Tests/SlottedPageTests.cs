using System.Buffers.Binary;
using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Core.Tests;

public class SlottedPageTests
{
    private static readonly PageNumber Number = new(7);

    [TestCase(4096, 4000)]
    [TestCase(8192, 3000)]
    [TestCase(65536, 2000)]
    public void Random_operations_match_a_list_model_and_keep_every_invariant(int pageSize, int operations)
    {
        int seed = TestSeed.Next();
        var rng = new Random(seed);
        var page = new byte[pageSize];
        SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        var model = new List<byte[]>();
        int defragmentsSeen = 0;
        for (int op = 0; op < operations; op++)
        {
            var slotted = new SlottedPage(page, "test.pagedb");
            int choice = rng.Next(10);
            string what;
            if (choice < 5 || model.Count == 0)
            {
                byte[] cell = RandomCell(rng, pageSize);
                int index = rng.Next(model.Count + 1);
                int freeBefore = slotted.FreeSpace;
                bool fits = freeBefore >= cell.Length + 4;
                int fragmentsBefore = new SlottedPageReader(page, "test.pagedb").FragmentedBytes;
                Assert.That(slotted.TryInsert(index, cell), Is.EqualTo(fits), $"insert {cell.Length} bytes with {freeBefore} free; {TestSeed.Describe(seed)}");
                if (fits)
                {
                    model.Insert(index, cell);
                    if (new SlottedPageReader(page, "test.pagedb").FragmentedBytes < fragmentsBefore)
                        defragmentsSeen++;
                }
                what = $"insert at {index} of {cell.Length} bytes";
            }
            else if (choice < 8)
            {
                int index = rng.Next(model.Count);
                byte[] cell = RandomCell(rng, pageSize);
                bool fits = slotted.FreeSpace + model[index].Length >= cell.Length;
                Assert.That(slotted.TryReplace(index, cell), Is.EqualTo(fits), $"replace; {TestSeed.Describe(seed)}");
                if (fits)
                    model[index] = cell;
                what = $"replace at {index} with {cell.Length} bytes";
            }
            else
            {
                int index = rng.Next(model.Count);
                slotted.Delete(index);
                model.RemoveAt(index);
                what = $"delete at {index}";
            }
            AssertMatches(page, model, $"after op {op} ({what}); {TestSeed.Describe(seed)}");
        }
        TestContext.Out.WriteLine($"{model.Count} cells at the end; fragment counter fell {defragmentsSeen} times");
    }

    [Test]
    public void Freed_space_is_reused_before_the_gap_and_neighbours_coalesce()
    {
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        for (int i = 0; i < 4; i++)
            Assert.That(slotted.TryInsert(i, Filled(100, (byte)i)), Is.True);
        int gapBefore = new SlottedPageReader(page, "test.pagedb").GapSize;
        slotted.Delete(1);
        slotted.Delete(1); // cells 1 and 2 were neighbours: one 200-byte freeblock
        var reader = new SlottedPageReader(page, "test.pagedb");
        Assert.That(reader.FirstFreeblock, Is.Not.Zero);
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(reader.FirstFreeblock + 2)), Is.EqualTo(200));
        Assert.That(slotted.TryInsert(1, Filled(150, 9)), Is.True);
        reader = new SlottedPageReader(page, "test.pagedb");
        Assert.That(reader.GapSize, Is.EqualTo(gapBefore + 8 - 4), "the cell came from the freeblock; only the pointer array grew");
        AssertMatches(page, [Filled(100, 0), Filled(150, 9), Filled(100, 3)], "after reuse");
    }

    [Test]
    public void Clearing_the_gap_zeroes_exactly_the_gap_and_keeps_every_cell()
    {
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        for (int i = 0; i < 6; i++)
            Assert.That(slotted.TryInsert(i, Filled(100, (byte)(i + 1))), Is.True);
        slotted.Delete(5); // the lowest cell: its bytes are left in what is now gap
        var reader = new SlottedPageReader(page, "test.pagedb");
        int gapStart = 40 + (reader.CellCount * 4);
        int gapEnd = reader.ContentStart;
        page.AsSpan(gapStart, gapEnd - gapStart).Fill(0xAB);
        byte[] before = (byte[])page.Clone();
        int freeBefore = reader.FreeSpace;

        slotted.ClearGap();

        Assert.That(page.AsSpan(gapStart, gapEnd - gapStart).ContainsAnyExcept((byte)0), Is.False, "the gap is zero");
        Assert.That(page.AsSpan(0, gapStart).SequenceEqual(before.AsSpan(0, gapStart)), Is.True, "headers and pointers unchanged");
        Assert.That(page.AsSpan(gapEnd).SequenceEqual(before.AsSpan(gapEnd)), Is.True, "cell content unchanged");
        Assert.That(new SlottedPageReader(page, "test.pagedb").FreeSpace, Is.EqualTo(freeBefore));
        AssertMatches(page, [Filled(100, 1), Filled(100, 2), Filled(100, 3), Filled(100, 4), Filled(100, 5)], "after clearing the gap");
    }

    [Test]
    public void Freeing_the_lowest_cell_returns_its_space_to_the_gap()
    {
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        slotted.TryInsert(0, Filled(100, 1));
        slotted.TryInsert(1, Filled(100, 2)); // stored below the first
        slotted.Delete(1);
        var reader = new SlottedPageReader(page, "test.pagedb");
        Assert.That(reader.FirstFreeblock, Is.Zero);
        Assert.That(reader.ContentStart, Is.EqualTo(4096 - 100));
    }

    [Test]
    public void Small_holes_are_counted_as_fragments_and_reclaimed_by_defragmentation()
    {
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        slotted.TryInsert(0, Filled(10, 1));
        slotted.TryInsert(1, Filled(2, 2));
        slotted.TryInsert(2, Filled(10, 3));
        slotted.Delete(1);
        Assert.That(new SlottedPageReader(page, "test.pagedb").FragmentedBytes, Is.EqualTo(2));
        AssertMatches(page, [Filled(10, 1), Filled(10, 3)], "after a 2-byte hole");
        // Fill the page exactly: only defragmentation can make the last bytes usable.
        int free = slotted.FreeSpace;
        Assert.That(slotted.TryInsert(2, Filled(free - 4, 5)), Is.True);
        Assert.That(slotted.FreeSpace, Is.Zero);
        Assert.That(new SlottedPageReader(page, "test.pagedb").FragmentedBytes, Is.Zero);
        Assert.That(slotted.TryInsert(0, Filled(1, 6)), Is.False, "a full page refuses even one byte");
        AssertMatches(page, [Filled(10, 1), Filled(10, 3), Filled(free - 4, 5)], "after exact fill");
    }

    [Test]
    public void A_replace_that_does_not_fit_leaves_the_page_unchanged()
    {
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        slotted.TryInsert(0, Filled(2000, 1));
        slotted.TryInsert(1, Filled(1500, 2));
        byte[] before = (byte[])page.Clone();
        Assert.That(slotted.TryReplace(1, Filled(3000, 3)), Is.False);
        Assert.That(page, Is.EqualTo(before));
        Assert.That(slotted.TryInsert(0, Filled(1000, 4)), Is.False);
        Assert.That(page, Is.EqualTo(before));
    }

    [Test]
    public void The_largest_cell_fits_an_empty_page_and_one_more_byte_is_refused()
    {
        foreach (int pageSize in new[] { 4096, 65536 })
        {
            var page = new byte[pageSize];
            var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
            int max = SlottedPage.MaxCellSize(pageSize);
            Assert.That(slotted.TryInsert(0, Filled(max, 1)), Is.True);
            AssertMatches(page, [Filled(max, 1)], $"page {pageSize}");
            Assert.Throws<ArgumentOutOfRangeException>(() => new SlottedPage(page, "test.pagedb").TryInsert(0, Filled(max + 1, 1)));
            Assert.Throws<ArgumentOutOfRangeException>(() => new SlottedPage(page, "test.pagedb").TryInsert(0, []));
        }
    }

    [Test]
    public void Prefetching_a_cell_reads_no_pointer_past_the_count_and_no_byte_past_the_page()
    {
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        slotted.TryInsert(0, Filled(100, 1));
        slotted.TryInsert(1, Filled(100, 2));
        page[44] = 0xFF; // cell 1's offset, low byte
        page[45] = 0xFF; // offset 0xFFFF: past the end of the 4 KiB page
        byte[] before = page.ToArray();
        int count = new SlottedPageReader(page, "db.pagedb").CellCount;
        foreach (int index in new[] { -1, 0, 1, 2, int.MaxValue, int.MinValue })
            Assert.DoesNotThrow(() => new SlottedPageReader(page, "db.pagedb").PrefetchCell(index, count), $"cell {index}");
        Assert.DoesNotThrow(() => new SlottedPageReader(page, "db.pagedb").PrefetchCell(1020, 2000), "a count larger than the page holds");
        Assert.That(page, Is.EqualTo(before), "a prefetch changes nothing");
    }

    [Test]
    public void Corrupt_pointers_are_reported_with_the_page_number()
    {
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        slotted.TryInsert(0, Filled(100, 1));
        slotted.TryInsert(1, Filled(100, 2));
        page[40] = 0xF0; // cell 0's offset, low byte
        page[41] = 0x0F; // offset 0x0FF0 + 100 runs past the page end
        var ex = Assert.Throws<CorruptDatabaseException>(() => new SlottedPageReader(page, "db.pagedb").GetCell(0).ToArray());
        Assert.That(ex!.PageNumber, Is.EqualTo(Number.Value));
        Assert.That(ex.FilePath, Is.EqualTo("db.pagedb"));
        Assert.Throws<CorruptDatabaseException>(() => new SlottedPageReader(page, "test.pagedb").Verify(Number, "db.pagedb"));
    }

    [Test]
    public void Every_kind_of_damage_is_found_by_Verify()
    {
        (string What, Action<byte[]> Damage)[] damages =
        [
            ("cell count past the page", p => p[16] = 0xFF),
            ("content start below the pointers", p => { p[18] = 10; p[19] = 0; }),
            ("overlapping cells", p => { p[44] = p[40]; p[45] = p[41]; }),
            ("freeblock list pointing outside", p => { p[20] = 0xFF; p[21] = 0xFF; }),
            ("fragment count wrong", p => p[22] = 3),
        ];
        foreach ((string what, Action<byte[]> damage) in damages)
        {
            var page = new byte[4096];
            var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
            for (int i = 0; i < 5; i++)
                slotted.TryInsert(i, Filled(50, (byte)i));
            damage(page);
            Assert.That(new SlottedPageReader(page, "test.pagedb").FindProblem(), Is.Not.Null, what);
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Cells_laid_out_in_slot_order_verify_and_two_of_them_overlapping_are_found(bool upwards)
    {
        // Appending each cell (downwards) or putting each first (upwards) lays the cells out in slot order: the layout
        // FindProblem checks without mapping the page's bytes. Moving cell 1 onto cell 0 breaks that order.
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        for (int i = 0; i < 5; i++)
            slotted.TryInsert(upwards ? 0 : i, Filled(50, (byte)i));
        Assert.That(new SlottedPageReader(page, "test.pagedb").FindProblem(), Is.Null);

        int cell0 = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(SlottedPageLayout.PointerArrayOffset));
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(SlottedPageLayout.PointerArrayOffset + 4), (ushort)(upwards ? cell0 + 10 : cell0 - 40));

        Assert.That(new SlottedPageReader(page, "test.pagedb").FindProblem(), Does.Contain("overlaps another cell"));
    }

    [Test]
    public void A_freeblock_over_a_cell_of_a_page_laid_out_in_slot_order_is_found()
    {
        var page = new byte[4096];
        var slotted = SlottedPage.Format(page, PageType.Slotted, Number, "test.pagedb");
        for (int i = 0; i < 5; i++)
            slotted.TryInsert(i, Filled(50, (byte)i));
        int cell0 = BinaryPrimitives.ReadUInt16LittleEndian(page.AsSpan(SlottedPageLayout.PointerArrayOffset));
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(SlottedPageLayout.FirstFreeblockOffset), (ushort)cell0);
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(cell0), 0); // the freeblock's next: none
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(cell0 + 2), 8); // its size

        Assert.That(new SlottedPageReader(page, "test.pagedb").FindProblem(), Does.Contain("overlaps a cell"));
    }

    private static void AssertMatches(byte[] page, List<byte[]> model, string context)
    {
        var reader = new SlottedPageReader(page, "test.pagedb");
        Assert.That(reader.FindProblem(), Is.Null, context);
        Assert.That(reader.CellCount, Is.EqualTo(model.Count), context);
        for (int i = 0; i < model.Count; i++)
        {
            if (!reader.GetCell(i).SequenceEqual(model[i]))
                Assert.Fail($"cell {i} differs from the model {context}");
        }
        int used = model.Sum(c => c.Length + 4);
        Assert.That(reader.FreeSpace, Is.EqualTo(page.Length - 40 - used), context);
    }

    private static byte[] RandomCell(Random rng, int pageSize)
    {
        int max = SlottedPage.MaxCellSize(pageSize);
        int length = rng.Next(4) switch
        {
            0 => rng.Next(1, 4),
            1 => rng.Next(4, 64),
            2 => rng.Next(64, 600),
            _ => rng.Next(600, max + 1),
        };
        var cell = new byte[length];
        rng.NextBytes(cell);
        return cell;
    }

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }
}
