using System.Globalization;

namespace PageDb.Testing.FaultInjection;

/// <summary>
/// An <see cref="IStorage"/> that models what a real disk and OS page cache may do, for the crash-recovery harness.
/// <list type="bullet">
/// <item>Reads see every write so far (the page cache). <see cref="IStorageFile.Sync"/> makes a file's data and size
/// durable; a new file or a deletion is durable only after <see cref="SyncDirectory"/> of its directory.</item>
/// <item><see cref="Crash"/> builds the disk a power loss leaves (see <see cref="SimulatedFile"/>): unsynced writes
/// lost, kept, torn at 512-byte sectors or landed out of order; size changes landing before or after the data; files
/// whose directory entry was never synced gone, deleted ones back. A synced write is never lost.</item>
/// <item>Every I/O call (open, read, write, sync, set-length, delete, directory sync) is numbered from 1.
/// <see cref="CrashAtCall"/> makes the call with that number crash: it throws <see cref="SimulatedCrashException"/>
/// (a write in flight may or may not reach the disk), and so does every later call, on any handle, until
/// <see cref="Crash"/>. Handles opened before a crash stay dead afterwards.</item>
/// <item><see cref="FailCall"/> and <see cref="FailEvery"/> make calls fail as <see cref="PageDbIOException"/>
/// (I/O error or disk full), changing nothing; except a failed sync, which does what Linux does: the unsynced writes
/// it covered leave write-back for good (a later sync succeeds without them) while reads still see them, until a
/// crash loses them.</item>
/// </list>
/// Deterministic: given the same calls, the same crash seed gives the same disk. Thread-safe (one lock).
/// </summary>
public sealed class FaultInjectingStorage : IStorage
{
    // Protects everything below: the namespaces, every file's contents, the counters and the fault settings.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimulatedFile> _visible = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedFile> _durable = new(StringComparer.Ordinal);
    private readonly long[] _callsByKind = new long[Enum.GetValues<IoCallKind>().Length];
    private readonly Dictionary<long, IoFailure> _failAtCall = [];
    private readonly Dictionary<IoCallKind, IoFailure> _failKinds = [];
    private long _calls;
    private long _lengthQueries;
    private long? _crashAtCall;
    private long _crashedAtCall;
    private int _epoch;

    /// <summary>I/O calls made so far (the number of the last one).</summary>
    public long Calls
    {
        get
        {
            lock (_gate)
                return _calls;
        }
    }

    /// <summary>The number of the call that will crash, or null. Set it to <see cref="Calls"/> + k to crash k calls from now.</summary>
    public long? CrashAtCall
    {
        get
        {
            lock (_gate)
                return _crashAtCall;
        }
        set
        {
            lock (_gate)
                _crashAtCall = value;
        }
    }

    /// <summary>True from the crashing call until <see cref="Crash"/>.</summary>
    public bool HasCrashed
    {
        get
        {
            lock (_gate)
                return _crashedAtCall != 0;
        }
    }

    /// <summary>Failures injected so far (calls that threw <see cref="PageDbIOException"/> on demand).</summary>
    public long InjectedFailures { get; private set; }

    /// <summary>Crashes simulated so far (<see cref="Crash"/> calls).</summary>
    public int Crashes { get; private set; }

    /// <summary>
    /// Queries of a file's length so far (<see cref="IStorageFile.Length"/>: a system call on disk). Counted apart from
    /// <see cref="Calls"/>: a length query changes nothing, so it is no crash point and takes no call number.
    /// </summary>
    public long LengthQueries
    {
        get
        {
            lock (_gate)
                return _lengthQueries;
        }
    }

    /// <summary>Counts one <see cref="IStorageFile.Length"/> query (<see cref="LengthQueries"/>); the caller holds the gate.</summary>
    internal void CountLengthQuery() => _lengthQueries++;

    /// <summary>Calls of <paramref name="kind"/> made so far.</summary>
    public long CallsOf(IoCallKind kind)
    {
        lock (_gate)
            return _callsByKind[(int)kind];
    }

    /// <summary>Makes the call numbered <paramref name="callIndex"/> fail (once) with <paramref name="failure"/>.</summary>
    public void FailCall(long callIndex, IoFailure failure = IoFailure.IOError)
    {
        lock (_gate)
            _failAtCall[callIndex] = failure;
    }

    /// <summary>Makes every call of <paramref name="kind"/> fail with <paramref name="failure"/> until <see cref="ClearFailures"/>.</summary>
    public void FailEvery(IoCallKind kind, IoFailure failure = IoFailure.IOError)
    {
        lock (_gate)
            _failKinds[kind] = failure;
    }

    /// <summary>Stops every failure set by <see cref="FailCall"/> or <see cref="FailEvery"/>.</summary>
    public void ClearFailures()
    {
        lock (_gate)
        {
            _failAtCall.Clear();
            _failKinds.Clear();
        }
    }

    /// <summary>
    /// Simulates a power loss now (whether or not a crash call was reached): every file becomes what the disk held
    /// (see <see cref="SimulatedFile"/>), chosen by <paramref name="seed"/>; handles opened before are dead, locks are
    /// released, and <see cref="CrashAtCall"/> is cleared. Call counters keep counting.
    /// </summary>
    public void Crash(int seed)
    {
        var random = new Random(seed);
        // Vary the mix from crash to crash: some lose almost everything unsynced, some keep almost all of it.
        double keep = random.NextDouble();
        double tear = random.Next(3) == 0 ? 0 : random.NextDouble() * 0.5;
        PowerLoss(random, keep, tear);
    }

    /// <summary>
    /// A power loss in which each unsynced write is torn (each 512-byte sector kept or lost on its own) with
    /// probability <paramref name="tearProbability"/>, else kept whole with probability <paramref name="keepProbability"/>,
    /// else lost; (0, 0) drops every unsynced write. The rest as <see cref="Crash"/>.
    /// </summary>
    public void CrashWith(int seed, double keepProbability, double tearProbability) =>
        PowerLoss(new Random(seed), keepProbability, tearProbability);

    private void PowerLoss(Random random, double keep, double tear)
    {
        lock (_gate)
        {
            _visible.Clear();
            foreach ((string path, SimulatedFile file) in _durable.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                file.Crash(random, keep, tear);
                _visible[path] = file;
            }
            _crashAtCall = null;
            _crashedAtCall = 0;
            _epoch++;
            Crashes++;
        }
    }

    /// <summary>
    /// Simulates the process dying while the OS lives on (SIGKILL, an unhandled exception): every write so far stays,
    /// as the page cache holds it, including a write in flight at the crash call; handles opened before are dead, locks
    /// are released, and <see cref="CrashAtCall"/> is cleared.
    /// </summary>
    public void CrashProcess()
    {
        lock (_gate)
        {
            SyncAll();
            Crash(seed: 0); // nothing is unsynced: the seed chooses nothing
        }
    }

    /// <summary>Makes every file's data, size and directory entry durable (a clean shutdown of the simulated OS).</summary>
    public void SyncAll()
    {
        lock (_gate)
        {
            _durable.Clear();
            foreach ((string path, SimulatedFile file) in _visible)
            {
                file.Sync();
                _durable[path] = file;
            }
        }
    }

    /// <summary>Paths of the files that exist now.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (_gate)
                return [.. _visible.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The bytes a read of <paramref name="path"/> sees now (a copy).</summary>
    public byte[] GetContents(string path)
    {
        lock (_gate)
            return Find(path).CachedContents();
    }

    /// <summary>Replaces (or creates) the file at <paramref name="path"/> durably: for tests that plant or damage files.</summary>
    public void SetContents(string path, ReadOnlySpan<byte> contents)
    {
        lock (_gate)
        {
            if (!_visible.TryGetValue(path, out SimulatedFile? file))
                _visible[path] = file = new SimulatedFile();
            file.SetContentsDurably(contents);
            _durable[path] = file;
        }
    }

    /// <inheritdoc/>
    public IStorageFile Open(string path, StorageOpenMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown open mode");
        lock (_gate)
        {
            BeginCall(IoCallKind.Open, path, epoch: _epoch);
            if (!_visible.TryGetValue(path, out SimulatedFile? file))
            {
                if (mode != StorageOpenMode.CreateIfMissing)
                    throw new FileNotFoundException($"The file '{path}' does not exist.", path);
                _visible[path] = file = new SimulatedFile();
            }
            return new FaultInjectingFile(this, path, file, isReadOnly: mode == StorageOpenMode.ReadOnly, _epoch);
        }
    }

    /// <inheritdoc/>
    public bool Exists(string path)
    {
        lock (_gate)
        {
            ThrowIfCrashed(_epoch);
            return _visible.ContainsKey(path);
        }
    }

    /// <inheritdoc/>
    public void Delete(string path)
    {
        lock (_gate)
        {
            BeginCall(IoCallKind.Delete, path, _epoch);
            _visible.Remove(path);
        }
    }

    /// <inheritdoc/>
    public void SyncDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_gate)
        {
            BeginCall(IoCallKind.SyncDirectory, path, _epoch);
            string directory = DirectoryOf(path);
            foreach (string durablePath in _durable.Keys.Where(p => DirectoryOf(p) == directory).ToList())
                _durable.Remove(durablePath);
            foreach ((string visiblePath, SimulatedFile file) in _visible)
            {
                if (DirectoryOf(visiblePath) == directory)
                    _durable[visiblePath] = file;
            }
        }
    }

    /// <summary>
    /// Numbers a call of <paramref name="kind"/> and decides its fate: throws <see cref="SimulatedCrashException"/> when
    /// it is the crash call, after it, or on a dead handle; <see cref="PageDbIOException"/> when a failure is injected.
    /// Returns true when the call is the crash call and is a write in flight (the caller records it, then throws).
    /// The caller holds the lock.
    /// </summary>
    internal bool BeginCall(IoCallKind kind, string path, int epoch)
    {
        ThrowIfCrashed(epoch);
        long index = ++_calls;
        _callsByKind[(int)kind]++;
        if (index == _crashAtCall)
        {
            _crashedAtCall = index;
            if (kind == IoCallKind.Write)
                return true;
            throw new SimulatedCrashException(index);
        }
        IoFailure failure;
        if (_failAtCall.Remove(index, out failure) || _failKinds.TryGetValue(kind, out failure))
        {
            InjectedFailures++;
            throw Failure(kind, path, index, failure);
        }
        return false;
    }

    /// <summary>Throws when a crash happened and <see cref="Crash"/> has not yet run, or the handle is from before a crash. Caller holds the lock.</summary>
    internal void ThrowIfCrashed(int epoch)
    {
        if (_crashedAtCall != 0)
            throw new SimulatedCrashException(_crashedAtCall);
        if (epoch != _epoch)
            throw new SimulatedCrashException("the handle was opened before a simulated crash");
    }

    /// <summary>The lock the handles hold while touching their file.</summary>
    internal Lock Gate => _gate;

    /// <summary>The current epoch (crash count); handles from an older epoch are dead.</summary>
    internal int Epoch => _epoch;

    /// <summary>The crash call, once reached (0 before).</summary>
    internal long CrashedAtCall => _crashedAtCall;

    private SimulatedFile Find(string path) =>
        _visible.TryGetValue(path, out SimulatedFile? file) ? file : throw new FileNotFoundException($"The file '{path}' does not exist.", path);

    private static string DirectoryOf(string path) => System.IO.Path.GetDirectoryName(path) ?? "";

    private static PageDbIOException Failure(IoCallKind kind, string path, long index, IoFailure failure)
    {
        string what = failure == IoFailure.DiskFull ? "No space left on device" : "Input/output error";
        return new PageDbIOException(path, kind.ToString(),
            new IOException(string.Create(CultureInfo.InvariantCulture, $"injected failure at I/O call {index}: {what}")));
    }
}
