namespace PageDb.Btree;

/// <summary>Whether a node lies on the tree's left or right edge (every ancestor link is the first, or the last).</summary>
[Flags]
internal enum EdgePosition
{
    /// <summary>Inside the tree.</summary>
    None = 0,

    /// <summary>On the left edge: the tree's smallest keys.</summary>
    Left = 1,

    /// <summary>On the right edge: the tree's largest keys.</summary>
    Right = 2,
}
