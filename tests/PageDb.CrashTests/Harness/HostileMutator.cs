using System.Buffers.Binary;
using PageDb.Core.Pages;
using PageDb.Testing;
using static PageDb.CrashTests.Harness.HostileTemplates;

namespace PageDb.CrashTests.Harness;

/// <summary>
/// Changes a database the way a buggy tool or an attacker would, knowing the format: a field of a page (slotted-page
/// header, cell pointer, cell bytes of keys, values, records and catalog entries, overflow owners and links, free-list links, the
/// file header) in the file or in a WAL frame, with the page checksum recomputed; a WAL frame's page number or commit
/// size, with the frame chain recomputed; a cut WAL. Each change is described, so a failing case can be read and
/// replayed.
/// </summary>
internal static class HostileMutator
{
    /// <summary>
    /// One fuzz case: a copy of a random template with one to three changes applied; <paramref name="context"/>
    /// describes the case (for a failure message) under <paramref name="caseName"/>.
    /// </summary>
    public static HostileFiles MutateTemplate(Random random, string caseName, out string context)
    {
        IReadOnlyList<HostileFiles> templates = All;
        HostileFiles files = templates[random.Next(templates.Count)].Copy();
        var changes = new List<string>();
        for (int n = random.Next(1, 4); n > 0; n--)
        {
            changes.Add(Mutate(random, files, out HostileFiles changed));
            files = changed;
        }
        context = $"{caseName}, template {(files.Wal is { Length: > 48 } ? "in WAL" : "in file")}: {string.Join("; ", changes)}";
        return files;
    }

    /// <summary>Applies one change to <paramref name="files"/> and returns what it did.</summary>
    public static string Mutate(Random random, HostileFiles files, out HostileFiles changed)
    {
        changed = files;
        List<WalSurgery.Frame> frames = files.Wal is null ? [] : WalSurgery.Frames(files.Wal, PageSize);
        int choice = random.Next(100);
        if (frames.Count > 0 && choice < 12)
            return MutateFrameHeader(random, files.Wal!, frames);
        if (frames.Count > 0 && choice < 15)
        {
            int cut = random.Next(48, files.Wal!.Length);
            changed = files with { Wal = files.Wal[..cut] };
            return $"WAL cut at byte {cut}";
        }
        if (frames.Count > 0 && choice < 45)
        {
            WalSurgery.Frame frame = frames[random.Next(frames.Count)];
            Span<byte> image = files.Wal.AsSpan(frame.ImageOffset, PageSize);
            string what = MutatePage(random, image);
            PageHeader.Seal(image, PageHeader.GetPageNumber(image));
            WalSurgery.Rechain(files.Wal!, frames);
            return $"WAL frame at {frame.Offset} (page {frame.Page}): {what}";
        }
        uint pages = (uint)(files.File.Length / PageSize);
        uint page = choice < 50 ? 0 : (uint)random.Next((int)pages);
        Span<byte> bytes = PageSurgery.Page(files.File, PageSize, page);
        string change = MutatePage(random, bytes);
        PageHeader.Seal(bytes, PageHeader.GetPageNumber(bytes));
        return $"page {page}: {change}";
    }

    private static string MutateFrameHeader(Random random, byte[] wal, List<WalSurgery.Frame> frames)
    {
        WalSurgery.Frame frame = frames[random.Next(frames.Count)];
        string what;
        if (random.Next(2) == 0)
        {
            uint size = Interesting(random, frame.CommitSize, 4);
            WalSurgery.SetCommitSize(wal, frame, size);
            what = $"commit size {frame.CommitSize} -> {size}";
        }
        else
        {
            uint page = Interesting(random, frame.Page, 4);
            WalSurgery.SetPage(wal, frame, page);
            what = $"page number {frame.Page} -> {page}";
        }
        WalSurgery.Rechain(wal, frames);
        return $"WAL frame at {frame.Offset}: {what}";
    }

    /// <summary>Changes one field of <paramref name="page"/>, chosen by its type (the caller reseals it).</summary>
    private static string MutatePage(Random random, Span<byte> page)
    {
        (int offset, int width) = (PageType)page[0] switch
        {
            PageType.BtreeLeaf or PageType.BtreeInterior or PageType.Slotted => SlottedField(random, page),
            PageType.FileHeader => (random.Next(2) == 0 ? 40 + (4 * random.Next(4)) : 16 + random.Next(56), 4),
            PageType.Overflow => random.Next(3) > 0 ? (12 + (4 * random.Next(3)), 4) : (random.Next(24, page.Length), 1), // owner, link, length
            PageType.FreeListTrunk => random.Next(3) > 0 ? (12 + (4 * random.Next(4)), 4) : (random.Next(24, page.Length), 1), // marks, next, count, entry 0
            _ => (random.Next(16, page.Length), 1),
        };
        uint old = Read(page, offset, width);
        uint value = Interesting(random, old, width);
        Write(page, offset, width, value);
        return $"{width}-byte field at {offset} (type {page[0]}): {old} -> {value}";
    }

    /// <summary>A header field, a cell pointer, or a field or byte of a cell or freeblock.</summary>
    private static (int Offset, int Width) SlottedField(Random random, ReadOnlySpan<byte> page)
    {
        int cells = BinaryPrimitives.ReadUInt16LittleEndian(page[16..]);
        int kind = random.Next(10);
        if (kind < 3 || cells == 0 || 40 + (4 * cells) > page.Length)
        {
            int[] fields = [16, 18, 20, 22, 24, 26, 32, 34];
            int field = fields[random.Next(fields.Length)];
            return (field, field is 24 ? 4 : 2);
        }
        int pointer = 40 + (4 * random.Next(cells));
        if (kind < 5)
            return (pointer + (2 * random.Next(2)), 2);
        int cell = BinaryPrimitives.ReadUInt16LittleEndian(page[pointer..]);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(page[(pointer + 2)..]);
        if (cell + length > page.Length || length < 8)
            return (pointer, 2);
        return random.Next(5) switch
        {
            0 => (cell, 2),                           // key length, or the low half of an interior cell's child
            1 => (cell + 3, 4),                       // value length, or separator bytes
            2 => (cell + length - 4, 4),              // overflow link, or the tail of a value or record
            3 => (cell, 4),                           // an interior cell's child
            _ => (cell + random.Next(length), 1),     // any byte of the key, value, record or catalog entry
        };
    }

    /// <summary>A value likely to break an assumption: 0, 1, off by one, a flipped bit, small, page-sized, or all ones.</summary>
    private static uint Interesting(Random random, uint old, int width)
    {
        uint max = width == 1 ? 0xFFu : width == 2 ? 0xFFFFu : uint.MaxValue;
        uint value = random.Next(9) switch
        {
            0 => 0,
            1 => 1,
            2 => old + 1,
            3 => old - 1,
            4 => old ^ (1u << random.Next(width * 8)),
            5 => (uint)random.Next(64),
            6 => (uint)random.Next(PageSize + 8),
            7 => max,
            _ => (uint)random.Next(),
        };
        return value & max;
    }

    private static uint Read(ReadOnlySpan<byte> page, int offset, int width) => width switch
    {
        1 => page[offset],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(page[offset..]),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(page[offset..]),
    };

    private static void Write(Span<byte> page, int offset, int width, uint value)
    {
        if (width == 1)
            page[offset] = (byte)value;
        else if (width == 2)
            BinaryPrimitives.WriteUInt16LittleEndian(page[offset..], (ushort)value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(page[offset..], value);
    }
}
