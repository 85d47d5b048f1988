using System.Runtime.ExceptionServices;
using PageDb.Benchmarks.Workloads.Data;
using PageDb.Benchmarks.Workloads.Reporting;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// Runs the chosen workloads on the chosen engines. Repetitions go round the engines (rep 1 of every engine, then
/// rep 2, ...), so a slow spell on a shared machine is spread over all engines instead of landing on one. Each
/// engine works in a fresh folder under one temporary root that is deleted at the end. Every measured repetition runs
/// warm: each workload first makes an untimed pass on every engine (full size on the loaded database, small on a fresh
/// one: <see cref="WorkloadSizes.ForWarmUp"/>), then the runner waits until the runtime has recompiled what the pass
/// made hot (<see cref="JitQuiet"/>).
/// </summary>
public sealed class WorkloadRunner(RunOptions options, IReadOnlyList<EngineDescriptor> engines, IReadOnlyList<Workload> workloads, TextWriter log)
{
    private const double Megabyte = 1 << 20;
    private const int WarmUpRepetition = -1; // WorkloadContext.Repetition of a warm-up pass

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
        WarmUp(workload);
        for (int repetition = 0; repetition < options.Repetitions; repetition++)
        {
            DiskProbeResult? probe = workload.ComparesWithDisk ? ProbeDisk(repetition) : null;
            var pass = new Pass(repetition, options.Sizes, _rows!);
            foreach (EngineDescriptor engine in engines)
            {
                ResultCell cell = CellOf(workload, engine);
                if (cell.Status == CellStatus.Ok)
                {
                    RunGuarded(workload, engine, pass, probe, cell);
                }
            }
        }
    }

    /// <summary>
    /// The untimed pass of <paramref name="workload"/> on every engine before its measured repetitions, then the wait
    /// for the runtime to optimize what it made hot. On the loaded database a whole repetition (it also brings the
    /// database's pages into the caches); on a fresh database a small one (<see cref="WorkloadSizes.ForWarmUp"/>, with
    /// W1's rows cut to that size), made by a throwaway instance of the workload, which keeps the data it generates for
    /// its own repetitions. Without it the first measured repetition of a fresh-database workload ran partly
    /// unoptimized code, and its figures differed from the later ones'.
    /// </summary>
    private void WarmUp(Workload workload)
    {
        Pass pass;
        Workload runner = workload;
        if (workload.Database == DatabaseKind.Loaded)
        {
            pass = new Pass(WarmUpRepetition, options.Sizes, _rows!);
        }
        else
        {
            WorkloadSizes sizes = options.Sizes.ForWarmUp();
            pass = new Pass(WarmUpRepetition, sizes, new SequentialDataset(_generator, firstId: 1, sizes.BulkRows));
            runner = WorkloadCatalog.CreateAll().Single(w => w.Id == workload.Id);
        }
        foreach (EngineDescriptor engine in engines)
        {
            ResultCell cell = CellOf(workload, engine);
            if (cell.Status == CellStatus.Ok)
            {
                RunGuarded(runner, engine, pass, probe: null, cell);
            }
        }
        JitQuiet.Wait();
    }

    private DiskProbeResult ProbeDisk(int repetition)
    {
        DiskProbeResult probe = DiskProbe.Measure(_root, options.Sizes.DiskProbeAppends);
        _diskProbes.Add(probe);
        log.WriteLine($"  disk rep {repetition + 1}: append 4 KB + fsync {probe.SyncsPerSecond:N0}/s, median {probe.MedianLatencyMilliseconds:N3} ms");
        return probe;
    }

    private void RunGuarded(Workload workload, EngineDescriptor engine, Pass pass, DiskProbeResult? probe, ResultCell cell)
    {
        try
        {
            double[] sample = workload.Database == DatabaseKind.Fresh
                ? RunOnFreshDatabase(workload, engine, pass, probe)
                : RunOnLoadedDatabase(workload, engine, pass, probe);
            if (pass.IsMeasured)
            {
                cell.Samples.Add(sample);
            }
            log.WriteLine($"  {workload.Id} {pass.Describe(workload)} {engine.Name}: {sample[0]:N0} {workload.Metrics[0].Name}");
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

    private double[] RunOnFreshDatabase(Workload workload, EngineDescriptor engine, Pass pass, DiskProbeResult? probe)
    {
        string folder = Path.Combine(_root, $"{engine.Name}-{workload.Id}-{(pass.IsMeasured ? pass.Repetition + 1 : "warm-up")}");
        Directory.CreateDirectory(folder);
        try
        {
            MemoryWindow memory = MemoryWindow.Open();
            using IBenchmarkEngine database = engine.Open(new EngineSettings(folder, workload.Durability, options.CacheSizeBytes));
            using var readers = new ReaderPool(database);
            RepetitionResult result = workload.Run(Context(engine, database, readers, folder, pass, probe));
            return Sample(result, memory);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private double[] RunOnLoadedDatabase(Workload workload, EngineDescriptor engine, Pass pass, DiskProbeResult? probe)
    {
        LoadedDatabase database = LoadedFor(engine);
        MemoryWindow memory = MemoryWindow.Open();
        RepetitionResult result = workload.Run(Context(engine, database.Engine, database.Readers, database.Folder, pass, probe));
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

    private WorkloadContext Context(EngineDescriptor descriptor, IBenchmarkEngine engine, ReaderPool readers, string folder, Pass pass, DiskProbeResult? probe) => new()
    {
        Engine = engine,
        DatabaseFiles = descriptor.DatabaseFiles,
        Readers = readers,
        Folder = folder,
        Sizes = pass.Sizes,
        Generator = _generator,
        LoadedRows = pass.Rows,
        Repetition = pass.Repetition,
        DiskProbe = probe,
    };

    private static double[] Sample(RepetitionResult result, MemoryWindow memory) =>
        [.. result.Values, result.Timed.AllocatedBytesPerOperation, memory.PeakGrowthBytes() / Megabyte];

    /// <summary>
    /// One pass of a workload over the engines: a measured repetition (0, 1, ...) or the warm-up
    /// (<see cref="WarmUpRepetition"/>), at <paramref name="Sizes"/> with W1's rows <paramref name="Rows"/>.
    /// </summary>
    private readonly record struct Pass(int Repetition, WorkloadSizes Sizes, SequentialDataset Rows)
    {
        public bool IsMeasured => Repetition >= 0;

        public string Describe(Workload workload) =>
            IsMeasured ? $"rep {Repetition + 1}"
            : workload.Database == DatabaseKind.Fresh ? "warm-up (small, untimed)" : "warm-up (untimed)";
    }

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
