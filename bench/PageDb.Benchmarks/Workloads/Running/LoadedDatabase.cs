using PageDb.Benchmarks.Workloads.Data;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// One engine holding W1's rows, loaded once (untimed) and shared by W3, W4, W5 and W8, with its readers kept warm.
/// </summary>
public sealed class LoadedDatabase : IDisposable
{
    private LoadedDatabase(IBenchmarkEngine engine, string folder)
    {
        Engine = engine;
        Folder = folder;
        Readers = new ReaderPool(engine);
    }

    /// <summary>The open engine.</summary>
    public IBenchmarkEngine Engine { get; }

    /// <summary>Its folder.</summary>
    public string Folder { get; }

    /// <summary>Its readers.</summary>
    public ReaderPool Readers { get; }

    /// <summary>Opens <paramref name="descriptor"/> on <paramref name="folder"/>, bulk-loads the rows and checks them with a full scan.</summary>
    public static LoadedDatabase Load(EngineDescriptor descriptor, string folder, long cacheSizeBytes, SequentialDataset data)
    {
        Directory.CreateDirectory(folder);
        IBenchmarkEngine engine = descriptor.Open(new EngineSettings(folder, BenchDurability.Normal, cacheSizeBytes));
        var loaded = new LoadedDatabase(engine, folder);
        try
        {
            engine.BulkInsert(data.Rows);
            VerificationException.ThrowUnlessEqual(data.Totals, loaded.Readers.Get(0).ScanAll(), "scan after loading W1's rows");
            return loaded;
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Readers.Dispose();
        Engine.Dispose();
    }
}
