using Microsoft.Extensions.ObjectPool;

namespace PageDb.Engine;

/// <summary>
/// How <see cref="StorageEngine.WriteCycles"/> makes and takes back write cycles: one engine's, kept only once ended
/// (a terminal state), so that the next <see cref="WriteCycle.Begin"/> starts it over.
/// </summary>
internal sealed class WriteCyclePolicy(StorageEngine engine) : IPooledObjectPolicy<WriteCycle>
{
    public WriteCycle Create() => new(engine);

    public bool Return(WriteCycle cycle) => cycle.HasEnded;
}
