using PageDb.Benchmarks.Workloads.Data;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>Everything one repetition of a workload on one engine works with.</summary>
public sealed class WorkloadContext
{
    /// <summary>The engine, open: fresh and empty for a fresh-database workload, holding W1's rows otherwise.</summary>
    public required IBenchmarkEngine Engine { get; init; }

    /// <summary>The engine's readers.</summary>
    public required ReaderPool Readers { get; init; }

    /// <summary>The engine's folder (file sizes are measured here).</summary>
    public required string Folder { get; init; }

    /// <summary>The sizes for this run.</summary>
    public required WorkloadSizes Sizes { get; init; }

    /// <summary>The run's data.</summary>
    public required DataGenerator Generator { get; init; }

    /// <summary>W1's rows, which a loaded database holds.</summary>
    public required SequentialDataset LoadedRows { get; init; }

    /// <summary>Repetition number: 0.. for measured ones, negative for the warm-up.</summary>
    public required int Repetition { get; init; }

    /// <summary>The latest disk probe, for workloads that compare with it.</summary>
    public DiskProbeResult? DiskProbe { get; init; }

    /// <summary>The engine's <see cref="EngineDescriptor.DatabaseFiles"/> pattern, or null.</summary>
    public string? DatabaseFiles { get; init; }

    /// <summary>Bytes of all files in <see cref="Folder"/>: the database and its WAL or log.</summary>
    public long FolderBytes() => BytesOf("*");

    /// <summary>Bytes of the database files alone (<see cref="DatabaseFiles"/>), without logs; null when the pattern is unknown.</summary>
    public long? DatabaseBytes() => DatabaseFiles is { } pattern ? BytesOf(pattern) : null;

    private long BytesOf(string pattern)
    {
        long total = 0;
        foreach (string file in Directory.EnumerateFiles(Folder, pattern, SearchOption.AllDirectories))
        {
            total += new FileInfo(file).Length;
        }
        return total;
    }
}
