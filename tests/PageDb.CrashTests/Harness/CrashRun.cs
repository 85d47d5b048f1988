using System.Globalization;
using PageDb.Testing.FaultInjection;

namespace PageDb.CrashTests.Harness;

/// <summary>Counts of a crash run, and the first failure it found (with what replays it).</summary>
internal sealed class CrashRunResult
{
    /// <summary>Simulated crashes: each one built a post-crash disk that was then recovered and checked.</summary>
    public int CrashPoints { get; set; }

    /// <summary>Commits acknowledged before a crash and then checked (found present or legitimately superseded) after it.</summary>
    public long CommitsChecked { get; set; }

    /// <summary>Checks of a recovered database (contents, integrity).</summary>
    public int Checks { get; set; }

    /// <summary>Null when every check passed; otherwise what failed, naming the seed.</summary>
    public string? Failure { get; set; }

    public void Add(CrashRunResult other)
    {
        CrashPoints += other.CrashPoints;
        CommitsChecked += other.CommitsChecked;
        Checks += other.Checks;
        Failure ??= other.Failure;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{CrashPoints} crash points, {CommitsChecked} commits checked, {Checks} recoveries checked{(Failure is null ? "" : ", FAILED: " + Failure)}");
}

/// <summary>
/// Runs a <see cref="Workload"/> over <see cref="FaultInjectingStorage"/>, crashes it at random I/O calls, rebuilds
/// the disk the crash left, reopens (crashing again during recovery now and then), and checks the database:
/// <list type="bullet">
/// <item><see cref="Durability.Full"/>, or any durability after a <see cref="CrashKind.ProcessCrash"/>: its contents
/// equal the last acknowledged commit, or the commit in flight;</item>
/// <item><see cref="Durability.Normal"/>: they equal some acknowledged commit no older than the last checkpoint (or the
/// one in flight);</item>
/// <item><see cref="PageDatabase.CheckIntegrity"/> is clean (which includes: no page leaked or counted twice).</item>
/// </list>
/// Then it continues the workload from the recovered state. Everything is derived from one seed. A run leaves its last
/// recovered database open (a sweep reads the storage's call count after it); disposing the run closes it, so that a
/// sweep of thousands of runs does not keep every database, its buffer pool and its in-memory files alive.
/// </summary>
internal sealed class CrashRun : IDisposable
{
    private const string DbPath = "crash/db.pagedb";

    private readonly int _seed;
    private readonly int _variant;
    private readonly Durability _durability;
    private readonly CrashKind _crashKind;
    private readonly Random _random;
    private readonly Random _crashRandom; // crash seeds and crash-during-recovery decisions
    private readonly FaultInjectingStorage _storage = new();
    private readonly Workload _workload;
    private readonly List<ulong> _acceptable = []; // digests of the commits a recovery may end at (Normal: since the last durable point)
    private readonly CrashRunResult _result = new();
    private long _acknowledgedAtLastCheck;
    private string _phase = "creating the database";

    /// <summary>
    /// A run of the workload of <paramref name="seed"/>; <paramref name="variant"/> varies only the crashes, which are
    /// of <paramref name="crashKind"/>; <paramref name="compressWal"/> stores WAL frames zstd-compressed.
    /// </summary>
    public CrashRun(int seed, Durability durability, int variant = 0, CrashKind crashKind = CrashKind.PowerLoss, bool compressWal = false)
    {
        _seed = seed;
        _variant = variant;
        _durability = durability;
        _crashKind = crashKind;
        _random = new Random(seed);
        _crashRandom = new Random(unchecked((seed * 1_000_003) + variant)); // HashCode.Combine's salt differs per process: no replay
        var options = new PageDbOptions
        {
            Storage = _storage,
            Durability = durability,
            CacheSizeBytes = 64 * 4096,
            CheckpointThresholdBytes = _random.Next(2) == 0 ? 48 << 10 : 512 << 10,
            WriteLockTimeout = TimeSpan.FromSeconds(10),
            CompressWal = compressWal,
        };
        _workload = new Workload(new Random(_random.Next()), () => PageDatabase.Open(DbPath, options), new WorkloadModel())
        {
            OnAcknowledged = committed => RecordAcknowledged(committed.Digest),
            OnDurable = () => RecordDurable(),
        };
        _acceptable.Add(new WorkloadModel().Digest);
    }

    public FaultInjectingStorage Storage => _storage;

    /// <summary>Closes the database the run left open (its checks are done), ignoring what a crashed storage throws.</summary>
    public void Dispose() => _workload.Abandon();

    /// <summary>Runs until <paramref name="crashPoints"/> crashes were checked or <paramref name="deadline"/> passed.</summary>
    public CrashRunResult Run(int crashPoints, DateTime deadline)
    {
        try
        {
            ArmCrash();
            Recover();
            while (_result.CrashPoints < crashPoints && DateTime.UtcNow < deadline)
            {
                ArmCrash();
                _phase = "running the workload";
                RunUntilCrash();
                Recover();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _result.Failure = Describe($"{_phase}: {e.GetType().Name}: {e.Message}") + Environment.NewLine + e;
        }
        return _result;
    }

    /// <summary>
    /// Runs <paramref name="script"/> from creation, crashing at I/O call <paramref name="crashAtCall"/> (if the script
    /// gets that far), then recovers and checks as <see cref="Run"/> does.
    /// </summary>
    public CrashRunResult RunScript(IReadOnlyList<WorkloadAction> script, long crashAtCall)
    {
        try
        {
            _storage.CrashAtCall = crashAtCall;
            _phase = "running the script to I/O call " + crashAtCall;
            try
            {
                _workload.Open();
                foreach (WorkloadAction action in script)
                {
                    if (_storage.HasCrashed)
                        break;
                    _workload.Run(action);
                }
            }
            catch (Exception) when (_storage.HasCrashed)
            {
                // the crash
            }
            _storage.CrashAtCall = null;
            if (_storage.HasCrashed)
                Recover();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _result.Failure = Describe($"{_phase}: {e.GetType().Name}: {e.Message}") + Environment.NewLine + e;
        }
        return _result;
    }

    private void ArmCrash()
    {
        int gap = _crashRandom.Next(4) == 0 ? _crashRandom.Next(1, 40) : _crashRandom.Next(1, 1500);
        _storage.CrashAtCall = _storage.Calls + gap;
    }

    private void RunUntilCrash()
    {
        try
        {
            while (!_storage.HasCrashed)
                _workload.Step();
        }
        catch (Exception) when (_storage.HasCrashed)
        {
            // The crash surfaced through the engine (possibly wrapped in one of its exceptions): expected.
        }
    }

    /// <summary>Builds the post-crash disk, reopens (crashing again during recovery now and then), and checks.</summary>
    private void Recover()
    {
        _workload.Abandon();
        while (true)
        {
            if (_storage.HasCrashed)
            {
                CrashStorage(_crashRandom.Next());
                _result.CrashPoints++;
                _phase = "reopening after crash " + _result.CrashPoints;
                if (_crashRandom.Next(4) == 0)
                    _storage.CrashAtCall = _storage.Calls + _crashRandom.Next(1, 60); // crash again, during recovery
            }
            try
            {
                _workload.Open();
                if (!_storage.HasCrashed)
                    break;
            }
            catch (Exception) when (_storage.HasCrashed)
            {
                // Crashed during the open: recover again from the disk this crash leaves.
            }
            _workload.Abandon();
        }
        _storage.CrashAtCall = null;
        Check();
    }

    private void CrashStorage(int seed)
    {
        switch (_crashKind)
        {
            case CrashKind.ProcessCrash:
                _storage.CrashProcess();
                break;
            case CrashKind.UnsyncedDropped:
                _storage.CrashWith(seed, keepProbability: 0, tearProbability: 0);
                break;
            case CrashKind.TornSectors:
                _storage.CrashWith(seed, keepProbability: 0, tearProbability: 1);
                break;
            default:
                _storage.Crash(seed);
                break;
        }
    }

    private void Check()
    {
        _phase = "checking after crash " + _result.CrashPoints;
        PageDatabase db = _workload.Database!;
        WorkloadModel found = WorkloadModel.Load(db);
        WorkloadModel? inFlight = _workload.InFlight;
        bool acceptable = EveryCommitSurvives
            ? found.Digest == _workload.Committed.Digest || found.Digest == inFlight?.Digest
            : _acceptable.Contains(found.Digest) || found.Digest == inFlight?.Digest;
        if (!acceptable)
        {
            string difference = found.FirstDifferenceFrom(_workload.Committed) ?? "same contents, other digest";
            throw new CrashCheckException($"the recovered database is not an acceptable commit: found {found}; the last acknowledged commit is {_workload.Committed} ({difference}); in flight: {inFlight?.ToString() ?? "none"}");
        }
        IntegrityReport report = db.CheckIntegrity();
        if (!report.IsOk)
            throw new CrashCheckException($"integrity check after recovery: {report}");
        _result.Checks++;
        _result.CommitsChecked += _workload.AcknowledgedCommits - _acknowledgedAtLastCheck;
        _acknowledgedAtLastCheck = _workload.AcknowledgedCommits;
        _workload.ResetTo(found);
        _acceptable.Clear();
        _acceptable.Add(found.Digest); // what survived a crash is on disk: the new floor
    }

    /// <summary>Full survives any crash; every level survives the process dying, since the OS keeps every write.</summary>
    private bool EveryCommitSurvives => _durability == Durability.Full || _crashKind == CrashKind.ProcessCrash;

    private void RecordAcknowledged(ulong digest)
    {
        if (EveryCommitSurvives)
            _acceptable.Clear();
        _acceptable.Add(digest);
    }

    private void RecordDurable()
    {
        _acceptable.Clear();
        _acceptable.Add(_workload.Committed.Digest);
    }

    private string Describe(string what) => string.Create(CultureInfo.InvariantCulture,
        $"{what} [last steps: {_workload.Trace}; {PageDb.Testing.TestSeed.Describe(_seed)}, durability {_durability}, {_crashKind}, variant {_variant}, crash point {_result.CrashPoints}, I/O call {_storage.Calls}]");
}

/// <summary>A recovered database broke a crash-safety promise.</summary>
internal sealed class CrashCheckException : Exception
{
    public CrashCheckException() { }

    public CrashCheckException(string message) : base(message) { }

    public CrashCheckException(string message, Exception innerException) : base(message, innerException) { }
}
