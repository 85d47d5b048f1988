using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using PageDb.Benchmarks.Workloads;
using PageDb.Benchmarks.Workloads.Data;
using PageDb.Benchmarks.Workloads.Engines;
using PageDb.Benchmarks.Workloads.Running;
using PageDb.Replication;

namespace PageDb.Benchmarks.Replication;

/// <summary>
/// W7 (one-row transactions at Durability.Normal, pagedb-kv) committed nonstop for a fixed time, with replication off,
/// to a folder store, and to an S3-compatible server: commits/s (the overhead of replicating), and the replica lag
/// (how long the store has been behind the database, <see cref="ReplicationStats.LagTime"/>, sampled every 5 ms) at
/// p50 and p99; CPU per commit of the process, of the committing thread, of the replicator's thread and of the
/// background checkpoint thread, how often the committing thread was switched out (preempted or waiting) and how often
/// the replicator woke, per 1,000 commits (Linux). Arguments: [--seconds 5] [--reps 3] [--s3-endpoint http://127.0.0.1:port --s3-bucket name]
/// [--modes off,folder,s3] (a subset, e.g. one mode alone under a profiler) [--segment-ms 1000] (the segment interval
/// of the measured runs; the default is the option's, 1 s) [--every-commit true|false] (<see cref="ReplicationOptions.EveryCommit"/>;
/// the default is the option's).
/// s3rver's credentials (S3RVER/S3RVER) are used for the S3 store.
/// </summary>
public static class ReplicationBench
{
    private const double WarmUpSeconds = 3;
    private const string ReplicatorThreadName = "PageDb replicat"; // "PageDb replicator", as Linux truncates it
    private const string CheckpointThreadName = "PageDb checkpoi"; // "PageDb checkpoint <file>"
    private static readonly TimeSpan WarmUpInterval = TimeSpan.FromMilliseconds(20);

    public static int Run(IReadOnlyList<string> args)
    {
        double seconds = double.Parse(Option(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        int reps = int.Parse(Option(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        string? endpoint = Option(args, "--s3-endpoint");
        TimeSpan? interval = Option(args, "--segment-ms") is { } ms ? TimeSpan.FromMilliseconds(double.Parse(ms, CultureInfo.InvariantCulture)) : null;
        bool? everyCommit = Option(args, "--every-commit") is { } every ? bool.Parse(every) : null;
        var modes = new List<(string Name, Func<string, IReplicaStore?> Store)>
        {
            ("off", _ => null),
            ("folder", folder => new FolderReplicaStore(Path.Combine(folder, "replica"))),
        };
        if (endpoint is not null)
        {
            string bucket = Option(args, "--s3-bucket") ?? "pagedb-bench";
            modes.Add(("s3", _ => new S3ReplicaStore(new S3ReplicaStoreOptions
            {
                Bucket = bucket,
                Prefix = "bench-" + Guid.NewGuid().ToString("N"),
                ServiceUrl = new Uri(endpoint),
                AccessKey = "S3RVER",
                SecretKey = "S3RVER",
            })));
        }
        if (Option(args, "--modes") is { } only)
            modes.RemoveAll(mode => !only.Split(',').Contains(mode.Name));
        // Every mode is warmed alike (JIT, tiering, the store's client and connection): warming "off" alone left the
        // replication code to be compiled inside the measured runs, counted against replication. The warm-up cuts a
        // segment every 20 ms, so the per-segment code (the replicator's cut, the AWS SDK's request pipeline) runs
        // through the runtime's tiers (30 calls, then 30 instrumented ones, then optimized) as in a process that has run
        // for a few minutes; at the 1 s interval the measured runs would time that code unoptimized and pay for its
        // recompilation (a 1 s warm-up left some 1,200 methods to be recompiled during a 10 s measured run).
        foreach ((_, Func<string, IReplicaStore?> store) in modes)
            RunOnce(store, WarmUpSeconds, WarmUpInterval, everyCommit);
        // The recompilation of what the warm-up made hot took seconds of CPU for the AWS SDK's pipeline on this machine,
        // which landed in the measured runs; the JIT column shows what is still compiled while measuring.
        JitQuiet.Wait();
        Console.WriteLine("| replication | commits/s (median of reps) | process CPU per commit | committing thread CPU per commit | replicator thread CPU per commit | checkpoint thread CPU per commit | committing thread switched out per 1,000 commits: preempted / waited | replicator wake-ups per 1,000 commits | replica lag p50 | replica lag p99 | drain after last commit | start: process CPU from the open to the stored snapshot | JIT time in the run (wall) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        // Repetitions interleave the modes (off, folder, s3, off, ...), so a change in the machine's load over the run
        // falls on every mode alike rather than on whichever ran during it.
        var runs = modes.Select(_ => new List<TimedRun>()).ToList();
        for (int rep = 0; rep < reps; rep++)
        {
            for (int mode = 0; mode < modes.Count; mode++)
                runs[mode].Add(RunOnce(modes[mode].Store, seconds, interval, everyCommit));
        }
        for (int mode = 0; mode < modes.Count; mode++)
        {
            List<TimedRun> done = runs[mode];
            string medianRate = Statistics.Median<double>([.. done.Select(r => r.Rate)]).ToString("N0", CultureInfo.InvariantCulture);
            string medianCpu = Statistics.Median<double>([.. done.Select(r => r.ProcessCpuMicroseconds)]).ToString("N1", CultureInfo.InvariantCulture) + " µs";
            string medianThreadCpu = Statistics.Median<double>([.. done.Select(r => r.CommitThreadCpuMicroseconds)]).ToString("N1", CultureInfo.InvariantCulture) + " µs";
            string medianReplicatorCpu = Statistics.Median<double>([.. done.Select(r => r.ReplicatorCpuMicroseconds)]).ToString("N2", CultureInfo.InvariantCulture) + " µs";
            string medianCheckpointCpu = Statistics.Median<double>([.. done.Select(r => r.CheckpointCpuMicroseconds)]).ToString("N2", CultureInfo.InvariantCulture) + " µs";
            double[] lags = [.. done.SelectMany(r => r.LagMilliseconds)];
            string name = modes[mode].Name;
            string jit = Statistics.Median<double>([.. done.Select(r => r.JitMilliseconds)]).ToString("N0", CultureInfo.InvariantCulture) + " ms";
            string startCpu = Statistics.Median<double>([.. done.Select(r => r.StartCpuMilliseconds)]).ToString("N0", CultureInfo.InvariantCulture) + " ms";
            string switches = string.Create(CultureInfo.InvariantCulture, $"{Statistics.Median<double>([.. done.Select(r => r.CommitThreadPreemptedPerThousand)]):N1} / {Statistics.Median<double>([.. done.Select(r => r.CommitThreadWaitedPerThousand)]):N1}");
            string wakes = Statistics.Median<double>([.. done.Select(r => r.ReplicatorWakesPerThousand)]).ToString("N2", CultureInfo.InvariantCulture);
            Console.WriteLine(name == "off"
                ? $"| {name} | {medianRate} | {medianCpu} | {medianThreadCpu} | - | {medianCheckpointCpu} | {switches} | - | - | - | - | {startCpu} | {jit} |"
                : string.Create(CultureInfo.InvariantCulture, $"| {name} | {medianRate} | {medianCpu} | {medianThreadCpu} | {medianReplicatorCpu} | {medianCheckpointCpu} | {switches} | {wakes} | {Statistics.Percentile<double>(lags, 0.5):N0} ms | {Statistics.Percentile<double>(lags, 0.99):N0} ms | {Statistics.Median<double>([.. done.Select(r => r.DrainMilliseconds)]):N0} ms | {startCpu} | {jit} |"));
        }
        return 0;
    }

    /// <summary>
    /// One timed run: commits/s; CPU time per commit over the commit loop, of the whole process (the replicator's thread
    /// included) and of the committing thread alone (what replication costs the commit path itself); both are less
    /// sensitive to other processes on a shared machine than commits/s. Then the sampled lags and the drain.
    /// </summary>
    private static TimedRun RunOnce(Func<string, IReplicaStore?> createStore, double seconds, TimeSpan? segmentInterval, bool? everyCommit)
    {
        string folder = Path.Combine(Path.GetTempPath(), "pagedb-replication-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        IReplicaStore? store = createStore(folder);
        CapturingReplication? capture = null;
        if (store is not null)
        {
            var defaults = new ReplicationOptions { Store = store };
            capture = new CapturingReplication(new ReplicationOptions
            {
                Store = store,
                SegmentInterval = segmentInterval ?? defaults.SegmentInterval,
                EveryCommit = everyCommit ?? defaults.EveryCommit,
            });
        }
        try
        {
            var lags = new List<double>();
            double rate, cpu, threadCpu, replicatorCpu, checkpointCpu, startCpu, jit, drain = 0;
            double preempted, waited, replicatorWakes;
            TimeSpan startCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            using (IBenchmarkEngine engine = PageDbKvEngine.Descriptor.Open(new EngineSettings(folder, BenchDurability.Normal, 64L << 20, capture)))
            {
                // The clock starts once the generation's snapshot is stored: its copy and put are a cost of the open,
                // reported apart (the start column), not of the commits.
                while (capture?.Session is { } starting && starting.Stats.LastShippedAt is null)
                    Thread.Sleep(1);
                startCpu = (Process.GetCurrentProcess().TotalProcessorTime - startCpuBefore).TotalMilliseconds;
                var generator = new DataGenerator(7);
                using var stop = new CancellationTokenSource();
                Thread sampler = StartSampler(capture, lags, stop.Token);
                long commits = 0;
                TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                TimeSpan jitBefore = JitInfo.GetCompilationTime();
                double threadCpuBefore = ThisThreadCpuMicroseconds();
                double replicatorCpuBefore = NamedThreadsCpuMicroseconds(ReplicatorThreadName);
                double checkpointCpuBefore = NamedThreadsCpuMicroseconds(CheckpointThreadName);
                (long Preempted, long Waited) switchesBefore = ThisThreadSwitches();
                long replicatorWakesBefore = NamedThreadsWaits(ReplicatorThreadName);
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds)
                    engine.InsertInOwnTransaction(generator.Row(++commits));
                rate = commits / clock.Elapsed.TotalSeconds;
                cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / commits;
                threadCpu = (ThisThreadCpuMicroseconds() - threadCpuBefore) / commits;
                replicatorCpu = (NamedThreadsCpuMicroseconds(ReplicatorThreadName) - replicatorCpuBefore) / commits;
                checkpointCpu = (NamedThreadsCpuMicroseconds(CheckpointThreadName) - checkpointCpuBefore) / commits;
                (long Preempted, long Waited) switchesAfter = ThisThreadSwitches();
                preempted = 1000.0 * (switchesAfter.Preempted - switchesBefore.Preempted) / commits;
                waited = 1000.0 * (switchesAfter.Waited - switchesBefore.Waited) / commits;
                replicatorWakes = 1000.0 * (NamedThreadsWaits(ReplicatorThreadName) - replicatorWakesBefore) / commits;
                jit = (JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds;
                var drainClock = Stopwatch.StartNew();
                while (capture?.Session is { } session && session.Stats.LagCommits != 0)
                    Thread.Sleep(1);
                drain = drainClock.Elapsed.TotalMilliseconds;
                stop.Cancel();
                sampler.Join();
            }
            return new TimedRun(rate, cpu, threadCpu, replicatorCpu, checkpointCpu, lags, drain, startCpu, jit, preempted, waited, replicatorWakes);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The calling thread's CPU time so far (Linux: /proc/thread-self/schedstat, in ns); NaN elsewhere.</summary>
    private static double ThisThreadCpuMicroseconds()
    {
        const string Path = "/proc/thread-self/schedstat";
        return File.Exists(Path)
            ? long.Parse(File.ReadAllText(Path).Split(' ')[0], CultureInfo.InvariantCulture) / 1000.0
            : double.NaN;
    }

    /// <summary>
    /// How often the calling thread was switched out so far: preempted (involuntary: a thread that woke or whose turn came
    /// took its core) and waiting (voluntary: a lock, an event, I/O), from /proc/thread-self/status; zeros elsewhere.
    /// </summary>
    private static (long Preempted, long Waited) ThisThreadSwitches()
    {
        const string Path = "/proc/thread-self/status";
        return File.Exists(Path) ? (StatusField(Path, "nonvoluntary_ctxt_switches:"), StatusField(Path, "voluntary_ctxt_switches:")) : (0, 0);
    }

    /// <summary>
    /// Times this process's threads named <paramref name="name"/> went to sleep so far (voluntary context switches: each
    /// is a wait that ends in a wake-up, a poll's timer or a store call's I/O), from /proc/self/task/*/status; 0 elsewhere.
    /// </summary>
    private static long NamedThreadsWaits(string name) =>
        (long)SumOverNamedThreads(name, task => StatusField(Path.Combine(task, "status"), "voluntary_ctxt_switches:"));

    private static long StatusField(string path, string field) =>
        long.Parse(File.ReadLines(path).First(line => line.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// CPU time so far (µs) of this process's threads whose name (as Linux keeps it, the first 15 bytes) is
    /// <paramref name="name"/>: /proc/self/task/*/comm and schedstat. Only the open database's own replicator and
    /// checkpoint threads are alive during a run (the warm-up's and earlier runs' ended with their databases). 0 elsewhere.
    /// </summary>
    private static double NamedThreadsCpuMicroseconds(string name) =>
        SumOverNamedThreads(name, task => long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture) / 1000.0);

    /// <summary>The sum of <paramref name="figure"/> (given a /proc/self/task directory) over this process's threads named <paramref name="name"/>; 0 where there is no /proc.</summary>
    private static double SumOverNamedThreads(string name, Func<string, double> figure)
    {
        double total = 0;
        if (!Directory.Exists("/proc/self/task"))
            return total;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
                    total += figure(task);
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }
        return total;
    }

    private static Thread StartSampler(CapturingReplication? capture, List<double> lags, CancellationToken stop)
    {
        var thread = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (capture?.Session is { } session)
                    lags.Add(session.Stats.LagTime.TotalMilliseconds);
                Thread.Sleep(5);
            }
        })
        { IsBackground = true };
        thread.Start();
        return thread;
    }

    internal static string? Option(IReadOnlyList<string> args, string name)
    {
        for (int i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name)
                return args[i + 1];
        }
        return null;
    }

    private readonly record struct TimedRun(double Rate, double ProcessCpuMicroseconds, double CommitThreadCpuMicroseconds, double ReplicatorCpuMicroseconds, double CheckpointCpuMicroseconds, List<double> LagMilliseconds, double DrainMilliseconds, double StartCpuMilliseconds, double JitMilliseconds,
        double CommitThreadPreemptedPerThousand, double CommitThreadWaitedPerThousand, double ReplicatorWakesPerThousand);

    /// <summary>Starts the real replication and keeps its session, so the bench can read its stats cheaply (GetStats reads every page).</summary>
    private sealed class CapturingReplication(IDatabaseReplication inner) : IDatabaseReplication
    {
        public IReplicationSession? Session { get; private set; }

        public IReplicationSession Start(PageDatabase database) => Session = inner.Start(database);
    }
}
