using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Engine;

/// <summary>
/// The trees opened over one page set (<see cref="SnapshotPages"/>, <see cref="TransactionPages"/>), by root, kept
/// while the page set is reused from transaction to transaction, so a transaction per operation opens no tree anew: a
/// <see cref="BTree"/> is only (its pages, a root) and reads the pages at every call (its one other field is a hint
/// that a wrong guess never turns into a wrong result). Holds a transaction's usual few trees (a table and its
/// indexes); more are opened anew, replacing the oldest. Used by the page set's one thread at a time.
/// </summary>
internal sealed class OpenedTrees(IPageAccessor pages)
{
    private const int Capacity = 4;

    private readonly BTree?[] _trees = new BTree?[Capacity];
    private int _oldest;

    /// <summary>The tree rooted at <paramref name="root"/> over the pages: one opened before, or a new one.</summary>
    public BTree Open(PageNumber root)
    {
        foreach (BTree? tree in _trees)
        {
            if (tree is not null && tree.Root == root)
                return tree;
        }
        var opened = new BTree(pages, root);
        _trees[_oldest] = opened;
        _oldest = (_oldest + 1) % Capacity;
        return opened;
    }
}
