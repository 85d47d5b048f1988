using Microsoft.Extensions.ObjectPool;

namespace PageDb.Engine;

/// <summary>
/// How <see cref="StorageEngine.TransactionPagesPool"/> makes and takes back page sets: one engine's, kept only when
/// their transaction ended cleanly (nothing private left), so a set that failed part-way is dropped, not reused.
/// </summary>
internal sealed class TransactionPagesPolicy(StorageEngine engine) : IPooledObjectPolicy<TransactionPages>
{
    public TransactionPages Create() => new(engine);

    public bool Return(TransactionPages pages) => pages.IsIdle;
}
