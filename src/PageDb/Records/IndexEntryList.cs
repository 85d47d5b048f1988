using System.Diagnostics;

namespace PageDb.Records;

/// <summary>
/// The encoded index entry keys of one row, one per index of its table in the table's index order, kept end to end
/// in one buffer that the next write reuses: a write encodes and checks the entries it adds, and reads those it
/// removes, before it changes anything, and a warm write does so without allocating.
/// </summary>
internal sealed class IndexEntryList
{
    private readonly ByteBuilder _bytes = new();
    private int[] _ends = new int[4]; // _ends[i]: where entry i ends in _bytes (it starts where entry i - 1 ends)

    /// <summary>The number of entries.</summary>
    public int Count { get; private set; }

    /// <summary>Entry <paramref name="i"/>, below <see cref="Count"/>; valid until the list changes.</summary>
    public ReadOnlySpan<byte> this[int i]
    {
        get
        {
            // _ends keeps the ends of entries forgotten by Clear: an index past Count would read a stale entry.
            Debug.Assert((uint)i < (uint)Count, "an index entry below Count");
            return _bytes.Written[(i == 0 ? 0 : _ends[i - 1]).._ends[i]];
        }
    }

    /// <summary>Forgets every entry, keeping the buffers.</summary>
    public void Clear()
    {
        _bytes.Clear();
        Count = 0;
    }

    /// <summary>Appends a copy of <paramref name="entry"/>.</summary>
    public void Add(ReadOnlySpan<byte> entry)
    {
        entry.CopyTo(_bytes.Reserve(entry.Length));
        _bytes.Advance(entry.Length);
        if (Count == _ends.Length)
            Array.Resize(ref _ends, 2 * Count);
        _ends[Count++] = _bytes.Length;
    }
}
