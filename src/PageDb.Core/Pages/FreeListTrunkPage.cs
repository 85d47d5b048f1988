using System.Buffers.Binary;
using System.Diagnostics;

namespace PageDb.Core.Pages;

/// <summary>
/// A free-list trunk page: a link to the next trunk and a list of free ("leaf") page numbers.
/// <code>
/// offset size field
///  0     12   common page header (<see cref="PageHeader"/>): type 5 (FreeListTrunk)
/// 12      2   first marked entry (u16): entries from here on were marked free when freed (see the marks below)
/// 14      2   marks stamp (u16): entry count + 1 as a marking build last left it; any other value (0 in a trunk
///             written by a build from before the marks) means no entry is marked
/// 16      4   next trunk (u32): the trunk made before this one, 0 for the last trunk
/// 20      4   entry count (u32): how many page numbers follow
/// 24      4*n entries (u32 each): free page numbers; entry count-1 is the next one handed out
/// ...         unused, contents unspecified
/// </code>
/// Capacity: (pageSize - 24) / 4 entries (1018 with 4 KB pages).
/// Invariants (checked by <see cref="FreeListTrunkPageReader.Verify"/>):
/// 1. The page type is <see cref="PageType.FreeListTrunk"/>.
/// 2. entry count &lt;= capacity.
/// 3. The next trunk and every entry are page numbers 1 .. page count - 1 (checked against the header's page count
///    by <see cref="FreeListTrunkPageReader.Verify"/>).
/// Marks: a page freed as an entry is rewritten as a page of type <see cref="PageType.Free"/> (header only), so a page
/// still in use that a damaged list names is told apart from a free one before it is handed out again
/// (<see cref="FreeListTrunkPageReader.IsMarked"/>). Entries added by a build from before the marks, or while the stamp
/// did not match (such a build changed the trunk), are unmarked: their pages keep the bytes of their earlier life.
/// </summary>
internal readonly ref struct FreeListTrunkPage
{
    internal const int FirstMarkedOffset = 12; // 12-13 u16
    internal const int MarksStampOffset = 14;  // 14-15 u16
    internal const int NextTrunkOffset = 16;   // 16-19 u32
    internal const int EntryCountOffset = 20;  // 20-23 u32
    internal const int EntriesOffset = 24;     // 24-   u32 each

    private readonly Span<byte> _page;

    /// <summary>A writable view over an existing trunk page.</summary>
    public FreeListTrunkPage(Span<byte> page) => _page = page;

    /// <summary>How many entries a trunk page of <paramref name="pageSize"/> bytes holds.</summary>
    public static int CapacityFor(int pageSize) => (pageSize - EntriesOffset) / sizeof(uint);

    /// <summary>Formats <paramref name="page"/> as an empty trunk numbered <paramref name="number"/> linking to <paramref name="next"/>.</summary>
    public static FreeListTrunkPage Format(Span<byte> page, PageNumber number, PageNumber next)
    {
        PageHeader.Initialize(page, PageType.FreeListTrunk, number);
        var trunk = new FreeListTrunkPage(page);
        trunk.Next = next;
        trunk.SetCount(0, firstMarked: 0);
        return trunk;
    }

    /// <summary>A read-only view of the same bytes.</summary>
    public FreeListTrunkPageReader AsReader() => new(_page);

    /// <summary>The next (older) trunk, or <see cref="PageNumber.None"/>.</summary>
    public PageNumber Next
    {
        get => AsReader().Next;
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page[NextTrunkOffset..], value.Value);
    }

    /// <summary>The number of entries (as stored; call Verify before trusting it).</summary>
    public int Count => AsReader().Count;

    /// <summary>The most entries this trunk can hold.</summary>
    public int Capacity => CapacityFor(_page.Length);

    /// <summary>True when no entry can be added.</summary>
    public bool IsFull => Count >= Capacity;

    /// <summary>Entry <paramref name="index"/>.</summary>
    public PageNumber GetEntry(int index) => AsReader().GetEntry(index);

    /// <summary>Appends <paramref name="page"/>, which the caller has marked free; the trunk must not be full.</summary>
    public void Add(PageNumber page)
    {
        int count = Count;
        Debug.Assert(count < Capacity, "trunk is full");
        BinaryPrimitives.WriteUInt32LittleEndian(_page[(EntriesOffset + (count * sizeof(uint)))..], page.Value);
        SetCount(count + 1, AsReader().FirstMarked);
    }

    /// <summary>Removes and returns the last entry; the trunk must not be empty.</summary>
    public PageNumber RemoveLast()
    {
        int count = Count;
        Debug.Assert(count > 0, "trunk is empty");
        PageNumber last = GetEntry(count - 1);
        SetCount(count - 1, Math.Min(AsReader().FirstMarked, count - 1));
        return last;
    }

    /// <summary>Checks the invariants; see <see cref="FreeListTrunkPageReader.Verify"/>.</summary>
    public void Verify(PageNumber number, uint pageCount, string filePath) => AsReader().Verify(number, pageCount, filePath);

    /// <summary>Stores the entry count and the marks that go with it (entries from <paramref name="firstMarked"/> on).</summary>
    private void SetCount(int count, int firstMarked)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_page[EntryCountOffset..], (uint)count);
        BinaryPrimitives.WriteUInt16LittleEndian(_page[FirstMarkedOffset..], (ushort)firstMarked);
        BinaryPrimitives.WriteUInt16LittleEndian(_page[MarksStampOffset..], (ushort)(count + 1));
    }
}

/// <summary>A read-only view over a free-list trunk page; see <see cref="FreeListTrunkPage"/> for the layout.</summary>
internal readonly ref struct FreeListTrunkPageReader
{
    private readonly ReadOnlySpan<byte> _page;

    /// <summary>A view over a trunk page.</summary>
    public FreeListTrunkPageReader(ReadOnlySpan<byte> page) => _page = page;

    /// <summary>The next (older) trunk, or <see cref="PageNumber.None"/>.</summary>
    public PageNumber Next => new(BinaryPrimitives.ReadUInt32LittleEndian(_page[FreeListTrunkPage.NextTrunkOffset..]));

    /// <summary>The number of entries as stored, clamped to int range (call Verify before trusting it).</summary>
    public int Count => (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(_page[FreeListTrunkPage.EntryCountOffset..]), int.MaxValue);

    /// <summary>
    /// The first entry whose page was marked free when it was freed: the stored value while the stamp matches the entry
    /// count (the trunk was last changed by a marking build), else <see cref="Count"/> (no entry is marked).
    /// </summary>
    public int FirstMarked
    {
        get
        {
            int count = Count;
            bool stamped = BinaryPrimitives.ReadUInt16LittleEndian(_page[FreeListTrunkPage.MarksStampOffset..]) == count + 1;
            return stamped ? Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(_page[FreeListTrunkPage.FirstMarkedOffset..]), count) : count;
        }
    }

    /// <summary>True when entry <paramref name="index"/>'s page was marked free, so it must be a page of type <see cref="PageType.Free"/>.</summary>
    public bool IsMarked(int index) => index >= FirstMarked;

    /// <summary>Entry <paramref name="index"/>; <paramref name="index"/> must be below a verified <see cref="Count"/>.</summary>
    public PageNumber GetEntry(int index)
    {
        Debug.Assert((uint)index < (uint)FreeListTrunkPage.CapacityFor(_page.Length), "entry index past the trunk's capacity");
        return new(BinaryPrimitives.ReadUInt32LittleEndian(_page[(FreeListTrunkPage.EntriesOffset + (index * sizeof(uint)))..]));
    }

    /// <summary>
    /// Checks invariants 1-3 for trunk <paramref name="number"/> of a database of <paramref name="pageCount"/> pages;
    /// throws <see cref="CorruptDatabaseException"/> naming the page otherwise.
    /// </summary>
    public void Verify(PageNumber number, uint pageCount, string filePath)
    {
        CheckStructure(number, pageCount, filePath);
        int count = Count;
        for (int i = 0; i < count; i++)
            CheckEntry(GetEntry(i), number, pageCount, filePath);
    }

    /// <summary>Invariants 1 and 2 and the next link of invariant 3: what must hold before the trunk is changed.</summary>
    public void CheckStructure(PageNumber number, uint pageCount, string filePath)
    {
        if (PageHeader.GetType(_page) != PageType.FreeListTrunk)
            ThrowHelper.ThrowCorrupt(filePath, number, "a free-list link points at a page that is not a free-list trunk");
        int count = Count;
        if (count > FreeListTrunkPage.CapacityFor(_page.Length))
            ThrowHelper.ThrowCorrupt(filePath, number, "the free-list trunk's entry count exceeds its capacity");
        if (Next.Value >= pageCount)
            ThrowHelper.ThrowCorrupt(filePath, number, "the free-list trunk links past the end of the database");
    }

    /// <summary>Invariant 3 for one entry of trunk <paramref name="trunk"/>.</summary>
    public static void CheckEntry(PageNumber entry, PageNumber trunk, uint pageCount, string filePath)
    {
        if (entry.IsNone || entry.Value >= pageCount)
            ThrowHelper.ThrowCorrupt(filePath, trunk, "a free-list entry is 0 or past the end of the database");
    }
}
