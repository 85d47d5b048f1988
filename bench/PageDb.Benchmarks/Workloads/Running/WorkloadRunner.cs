using System.Runtime.ExceptionServices;
using PageDb.Benchmarks.Workloads.Data;
using PageDb.Benchmarks.Workloads.Reporting;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// Runs the chosen workloads on the chosen engines. Repetitions go round the engines (rep 1 of every engine, then
/// rep 2, ...), so a slow spell on a shared machine is spread over all engines instead of landing on one. Each
/// engine works in a fresh folder under one temporary root that is deleted at the end.
/// </summary>
public sealed class WorkloadRunner(RunOptions options, IReadOnlyList<EngineDescriptor> engines, IReadOnlyList<Workload> workloads, TextWriter log)
{
    private const double Megabyte = 1 << 20;

    private readonly Dictionary<(string Workload, string Engine), ResultCell> _cells = [];
    private readonly Dictionary<string, LoadedDatabase> _loaded = [];
    private readonly Dictionary<string, ExceptionDispatchInfo> _loadFailures = []; // so a failed load is not retried
    private readonly List<DiskProbeResult> _diskProbes = [];
    private readonly DataGenerator _generator = new(options.Seed);
    private SequentialDataset? _rows;
    private string _root = "";

    /// <summary>Runs everything and returns the report.</summary>
    public RunReport Run()
    {
        DateTimeOffset started = DateTimeOffset.Now;
        _root = Path.Combine(options.TempFolder, $"pagedb-bench-{Environment.ProcessId}-{started:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(_root);
        log.WriteLine($"databases in {_root}; generating {options.Sizes.BulkRows:N0} rows (seed {options.Seed})");
        _rows = new SequentialDataset(_generator, firstId: 1, options.Sizes.BulkRows);
        try
        {
            foreach (EngineDescriptor engine in engines)
            {
                WarmUp(engine);
            }
            foreach (Workload workload in workloads)
            {
                RunWorkload(workload);
            }
        }
        finally
        {
            foreach (LoadedDatabase database in _loaded.Values)
            {
                database.Dispose();
            }
            Directory.Delete(_root, recursive: true);
        }
        return ReportBuilder.Build(options, engines, workloads, _cells, _diskProbes, started);
    }

    /// <summary>A failing warm-up is only logged: the workloads then fail on their own and say so in the table.</summary>
    private void WarmUp(EngineDescriptor engine)
    {
        try
        {
            EngineWarmUp.Run(engine, _root, options.CacheSizeBytes, _generator);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.WriteLine($"  warm-up of {engine.Name} failed: {e}");
        }
    }

    private void RunWorkload(Workload workload)
    {
        int firstRepetition = workload.Database == DatabaseKind.Loaded ? -1 : 0; // -1: unmeasured warm-up
        for (int repetition = firstRepetition; repetition < options.Repetitions; repetition++)
        {
            DiskProbeResult? probe = workload.ComparesWithDisk ? ProbeDisk(repetition) : null;
            foreach (EngineDescriptor engine in engines)
            {
                ResultCell cell = CellOf(workload, engine);
                if (cell.Status == CellStatus.Ok)
                {
                    RunGuarded(workload, engine, repetition, probe, cell);
                }
            }
        }
    }

    private DiskProbeResult ProbeDisk(int repetition)
    {
        DiskProbeResult probe = DiskProbe.Measure(_root, options.Sizes.DiskProbeAppends);
        _diskProbes.Add(probe);
        log.WriteLine($"  disk rep {repetition + 1}: append 4 KB + fsync {probe.SyncsPerSecond:N0}/s, median {probe.MedianLatencyMilliseconds:N3} ms");
        return probe;
    }

    private void RunGuarded(Workload workload, EngineDescriptor engine, int repetition, DiskProbeResult? probe, ResultCell cell)
    {
        try
        {
            double[] sample = workload.Database == DatabaseKind.Fresh
                ? RunOnFreshDatabase(workload, engine, repetition, probe)
                : RunOnLoadedDatabase(workload, engine, repetition, probe);
            if (repetition >= 0)
            {
                cell.Samples.Add(sample);
            }
            log.WriteLine($"  {workload.Id} {(repetition < 0 ? "warm-up" : $"rep {repetition + 1}")} {engine.Name}: " +
                          $"{sample[0]:N0} {workload.Metrics[0].Name}");
        }
        catch (VerificationException e)
        {
            cell.Fail(CellStatus.Failed, e.Message);
            log.WriteLine($"  {workload.Id} {engine.Name}: FAILED verification: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            cell.Fail(CellStatus.NotApplicable, e.Message);
            log.WriteLine($"  {workload.Id} {engine.Name}: not applicable: {e.Message}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            cell.Fail(CellStatus.Error, $"{e.GetType().Name}: {e.Message}");
            log.WriteLine($"  {workload.Id} {engine.Name}: ERROR {e}");
        }
    }

    private double[] RunOnFreshDatabase(Workload workload, EngineDescriptor engine, int repetition, DiskProbeResult? probe)
    {
        string folder = Path.Combine(_root, $"{engine.Name}-{workload.Id}-{repetition + 1}");
        Directory.CreateDirectory(folder);
        try
        {
            MemoryWindow memory = MemoryWindow.Open();
            using IBenchmarkEngine database = engine.Open(new EngineSettings(folder, workload.Durability, options.CacheSizeBytes));
            using var readers = new ReaderPool(database);
            RepetitionResult result = workload.Run(Context(engine, database, readers, folder, repetition, probe));
            return Sample(result, memory);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private double[] RunOnLoadedDatabase(Workload workload, EngineDescriptor engine, int repetition, DiskProbeResult? probe)
    {
        LoadedDatabase database = LoadedFor(engine);
        MemoryWindow memory = MemoryWindow.Open();
        RepetitionResult result = workload.Run(Context(engine, database.Engine, database.Readers, database.Folder, repetition, probe));
        return Sample(result, memory);
    }

    private LoadedDatabase LoadedFor(EngineDescriptor engine)
    {
        if (_loaded.TryGetValue(engine.Name, out LoadedDatabase? database))
        {
            return database;
        }
        _loadFailures.GetValueOrDefault(engine.Name)?.Throw();
        log.WriteLine($"  loading {_rows!.Rows.Length:N0} rows into {engine.Name} for W3..W8 (untimed)");
        try
        {
            database = LoadedDatabase.Load(engine, Path.Combine(_root, $"{engine.Name}-loaded"), options.CacheSizeBytes, _rows);
        }
        catch (Exception e)
        {
            _loadFailures.Add(engine.Name, ExceptionDispatchInfo.Capture(e));
            throw;
        }
        _loaded.Add(engine.Name, database);
        return database;
    }

    private WorkloadContext Context(EngineDescriptor descriptor, IBenchmarkEngine engine, ReaderPool readers, string folder, int repetition, DiskProbeResult? probe) => new()
    {
        Engine = engine,
        DatabaseFiles = descriptor.DatabaseFiles,
        Readers = readers,
        Folder = folder,
        Sizes = options.Sizes,
        Generator = _generator,
        LoadedRows = _rows!,
        Repetition = repetition,
        DiskProbe = probe,
    };

    private static double[] Sample(RepetitionResult result, MemoryWindow memory) =>
        [.. result.Values, result.Timed.AllocatedBytesPerOperation, memory.PeakGrowthBytes() / Megabyte];

    private ResultCell CellOf(Workload workload, EngineDescriptor engine)
    {
        if (!_cells.TryGetValue((workload.Id, engine.Name), out ResultCell? cell))
        {
            cell = new ResultCell();
            _cells.Add((workload.Id, engine.Name), cell);
        }
        return cell;
    }
}
