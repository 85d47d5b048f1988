using System.Diagnostics;
using PageDb.Core.Pages;

namespace PageDb.Btree;

/// <summary>
/// The cells a split or a rebalance lays out again, in key order, without copying them: a run of cells of one page,
/// an optional extra cell, and a run of cells of a second (or the same) page. A split is "cells before the insert
/// point, the new cell, cells after it"; a rebalance is "left page, the separator pulled down (interior only), right
/// page". The pages read are private copies, so the real pages can be rewritten while the sequence is read.
/// </summary>
internal readonly ref struct CellSequence
{
    private readonly SlottedPageReader _first;
    private readonly int _firstStart;
    private readonly int _firstCount;
    private readonly ReadOnlySpan<byte> _middle;
    private readonly int _middleCount;
    private readonly SlottedPageReader _second;
    private readonly int _secondStart;

    /// <summary>
    /// Cells [<paramref name="firstStart"/>, <paramref name="firstEnd"/>) of <paramref name="first"/>, then
    /// <paramref name="middle"/> when <paramref name="hasMiddle"/>, then cells [<paramref name="secondStart"/>,
    /// <paramref name="secondEnd"/>) of <paramref name="second"/>.
    /// </summary>
    public CellSequence(
        SlottedPageReader first, int firstStart, int firstEnd,
        ReadOnlySpan<byte> middle, bool hasMiddle,
        SlottedPageReader second, int secondStart, int secondEnd)
    {
        Debug.Assert(firstStart <= firstEnd && secondStart <= secondEnd, "empty or inverted run");
        _first = first;
        _firstStart = firstStart;
        _firstCount = firstEnd - firstStart;
        _middle = middle;
        _middleCount = hasMiddle ? 1 : 0;
        _second = second;
        _secondStart = secondStart;
        Count = _firstCount + _middleCount + (secondEnd - secondStart);
    }

    /// <summary>The number of cells.</summary>
    public int Count { get; }

    /// <summary>Cell <paramref name="index"/> of the sequence.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            Debug.Assert((uint)index < (uint)Count, "cell index outside the sequence");
            if (index < _firstCount)
                return _first.GetCell(_firstStart + index);
            index -= _firstCount;
            if (index < _middleCount)
                return _middle;
            return _second.GetCell(_secondStart + index - _middleCount);
        }
    }

    /// <summary>What cell <paramref name="index"/> costs on a page, pointer included.</summary>
    public int Cost(int index) => NodeHeader.CellCost(this[index].Length);

    /// <summary>What cells [<paramref name="start"/>, <paramref name="end"/>) cost on a page.</summary>
    public int Cost(int start, int end)
    {
        int total = 0;
        for (int i = start; i < end; i++)
            total += Cost(i);
        return total;
    }
}
