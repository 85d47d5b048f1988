using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Btree.Tests;

/// <summary>The two leaf-cell layouts: what each costs, that both round-trip inline and overflowing values, and that a malformed compact header is corruption.</summary>
public class LeafCellTests
{
    private const string File = "test.pagedb";

    [Test]
    public void A_compact_cell_of_a_short_key_and_inline_value_has_a_one_byte_header()
    {
        Assert.That(LeafCell.Length(LeafCellFormat.Compact, 4096, 4, 132), Is.EqualTo(1 + 4 + 132));
        Assert.That(LeafCell.Length(LeafCellFormat.Classic, 4096, 4, 132), Is.EqualTo(7 + 4 + 132));
        Assert.That(LeafCell.Length(LeafCellFormat.Compact, 4096, 64, 10), Is.EqualTo(2 + 64 + 10), "keys of 64 bytes and more take a 2-byte header");
    }

    [TestCase(1u, 8, 100)]
    [TestCase(1u, 8, 5000)]
    [TestCase(2u, 8, 100)]
    [TestCase(2u, 8, 5000)]
    [TestCase(2u, 300, 0)]
    [TestCase(2u, 1024, 3000)]
    [TestCase(2u, 63, 2000)]
    public void Cells_round_trip_in_either_format(uint formatVersion, int keyLength, int valueLength)
    {
        var pages = new InMemoryPageAccessor { FormatVersion = formatVersion };
        LeafCellFormat format = LeafCell.FormatOf(pages);
        var random = new Random(keyLength * 31 + valueLength);
        byte[] key = new byte[keyLength], value = new byte[valueLength];
        random.NextBytes(key);
        random.NextBytes(value);
        var cell = new byte[LeafCell.MaxLength(pages.PageSize)];
        int length = LeafCell.Write(pages, cell, key, value);
        Assert.That(length, Is.EqualTo(LeafCell.Length(format, pages.PageSize, keyLength, valueLength)));
        LeafCell read = LeafCell.Read(cell.AsSpan(0, length), format, new PageNumber(1), File);
        Assert.That(read.Key.ToArray(), Is.EqualTo(key));
        Assert.That(LeafCell.ReadKey(cell.AsSpan(0, length), format, new PageNumber(1), File).ToArray(), Is.EqualTo(key));
        Assert.That(read.ToValueArray(pages), Is.EqualTo(value));
        Assert.That(read.HasOverflow, Is.EqualTo(length < keyLength + valueLength));
    }

    [TestCase("", TestName = "an empty cell")]
    [TestCase("00AA", TestName = "a key length of 0")]
    [TestCase("0AAABBCC", TestName = "a key longer than the cell")]
    [TestCase("8000AA", TestName = "a two-byte header that fits one byte")]
    [TestCase("81A0AA", TestName = "a header longer than two bytes")]
    [TestCase("8120" + "AA", TestName = "a key longer than 1024 bytes")]
    [TestCase("03AA00000000", TestName = "an overflow cell with no room for its prefix and link")]
    [TestCase("03AA01000000BB01000000", TestName = "an overflow cell whose prefix is not shorter than its value")]
    [TestCase("03AA0A000000010200000000", TestName = "an overflow cell with no overflow page")]
    public void Malformed_compact_cells_are_corruption(string hex)
    {
        byte[] cell = Convert.FromHexString(hex);
        Assert.Throws<CorruptDatabaseException>(() => LeafCell.Read(cell, LeafCellFormat.Compact, new PageNumber(1), File));
    }
}
