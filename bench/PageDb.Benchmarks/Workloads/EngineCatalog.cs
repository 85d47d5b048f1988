using PageDb.Benchmarks.Workloads.Engines;

namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// The engines the runner knows, in column order. Adding an engine = one adapter implementing
/// <see cref="IBenchmarkEngine"/> and one line here (see docs/benchmarks.md).
/// </summary>
public static class EngineCatalog
{
    /// <summary>Every known engine; <c>--engines</c> picks from these by name.</summary>
    public static IReadOnlyList<EngineDescriptor> All { get; } =
    [
        SqliteEngine.Descriptor,
        LiteDbEngine.Descriptor,
        LmdbEngine.Descriptor,
        RocksDbEngine.Descriptor,
        PageDbKvEngine.Descriptor,
        PageDbTableEngine.Descriptor,
        PageDbSqlEngine.Descriptor,
    ];

    /// <summary>The engine called <paramref name="name"/>, or null.</summary>
    public static EngineDescriptor? Find(string name)
    {
        foreach (EngineDescriptor engine in All)
        {
            if (string.Equals(engine.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return engine;
            }
        }
        return null;
    }
}
