using PageDb.Benchmarks.Workloads.Data;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// Calls every adapter method once on a small scratch database before anything is measured, so the first measured
/// repetition of a fresh-database workload does not pay for JIT compilation and first-use setup (such as LiteDB
/// building its object mappings) that later ones do not.
/// </summary>
public static class EngineWarmUp
{
    private const int Rows = 2_000;

    /// <summary>Exercises <paramref name="engine"/> in a scratch folder under <paramref name="root"/>, then deletes it.</summary>
    public static void Run(EngineDescriptor engine, string root, long cacheSizeBytes, DataGenerator generator)
    {
        string folder = Path.Combine(root, $"{engine.Name}-warm-up");
        Directory.CreateDirectory(folder);
        try
        {
            using IBenchmarkEngine database = engine.Open(new EngineSettings(folder, BenchDurability.Normal, cacheSizeBytes));
            BenchRow[] rows = generator.SequentialRows(1, Rows);
            database.BulkInsert(rows);
            database.InsertInOwnTransaction(generator.Row(Rows + 1));
            using IBenchmarkReader reader = database.OpenReader();
            for (long id = 1; id <= Rows; id += 7)
            {
                reader.TryGet(id, out _);
                reader.ScanRange(id, id + 10);
            }
            reader.ScanAll();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
