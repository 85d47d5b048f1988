using PageDb.Core.Pages;

namespace PageDb.Btree;

/// <summary>One interior level passed on the way down to a leaf: the page, the child link followed, and its cell count.</summary>
internal readonly record struct PathStep(PageNumber Page, int ChildIndex, int CellCount)
{
    /// <summary>True when the link followed was the first (leftmost) of its page.</summary>
    public bool IsLeftmost => ChildIndex == 0;

    /// <summary>True when the link followed was the rightmost child.</summary>
    public bool IsRightmost => ChildIndex == CellCount;

    /// <summary>Where the node reached through <paramref name="ancestors"/> lies on the tree's edges.</summary>
    public static EdgePosition Edge(ReadOnlySpan<PathStep> ancestors)
    {
        EdgePosition edge = EdgePosition.Left | EdgePosition.Right;
        foreach (PathStep step in ancestors)
        {
            if (!step.IsLeftmost)
                edge &= ~EdgePosition.Left;
            if (!step.IsRightmost)
                edge &= ~EdgePosition.Right;
        }
        return edge;
    }
}
