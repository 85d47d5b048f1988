using System.Diagnostics;
using System.Globalization;
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
/// p50 and p99. Arguments: [--seconds 5] [--reps 3] [--s3-endpoint http://127.0.0.1:port --s3-bucket name].
/// s3rver's credentials (S3RVER/S3RVER) are used for the S3 store.
/// </summary>
public static class ReplicationBench
{
    public static int Run(IReadOnlyList<string> args)
    {
        double seconds = double.Parse(Option(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        int reps = int.Parse(Option(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        string? endpoint = Option(args, "--s3-endpoint");
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
        Console.WriteLine("| replication | commits/s (median of reps) | replica lag p50 | replica lag p99 | drain after last commit |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach ((string name, Func<string, IReplicaStore?> store) in modes)
        {
            var rates = new List<double>();
            var lags = new List<double>();
            var drains = new List<double>();
            for (int rep = 0; rep < reps; rep++)
            {
                (double rate, List<double> lag, double drain) = RunOnce(store, seconds);
                rates.Add(rate);
                lags.AddRange(lag);
                drains.Add(drain);
            }
            string medianRate = Statistics.Median<double>([.. rates]).ToString("N0", CultureInfo.InvariantCulture);
            Console.WriteLine(name == "off"
                ? $"| {name} | {medianRate} | - | - | - |"
                : string.Create(CultureInfo.InvariantCulture, $"| {name} | {medianRate} | {Statistics.Percentile<double>([.. lags], 0.5):N0} ms | {Statistics.Percentile<double>([.. lags], 0.99):N0} ms | {Statistics.Median<double>([.. drains]):N0} ms |"));
        }
        return 0;
    }

    private static (double Rate, List<double> LagMilliseconds, double DrainMilliseconds) RunOnce(Func<string, IReplicaStore?> createStore, double seconds)
    {
        string folder = Path.Combine(Path.GetTempPath(), "pagedb-replication-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        IReplicaStore? store = createStore(folder);
        var capture = store is null ? null : new CapturingReplication(new ReplicationOptions { Store = store });
        try
        {
            var lags = new List<double>();
            double rate, drain = 0;
            using (IBenchmarkEngine engine = PageDbKvEngine.Descriptor.Open(new EngineSettings(folder, BenchDurability.Normal, 64L << 20, capture)))
            {
                var generator = new DataGenerator(7);
                using var stop = new CancellationTokenSource();
                Thread sampler = StartSampler(capture, lags, stop.Token);
                long commits = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds)
                    engine.InsertInOwnTransaction(generator.Row(++commits));
                rate = commits / clock.Elapsed.TotalSeconds;
                var drainClock = Stopwatch.StartNew();
                while (capture?.Session is { } session && session.Stats.LagCommits != 0)
                    Thread.Sleep(1);
                drain = drainClock.Elapsed.TotalMilliseconds;
                stop.Cancel();
                sampler.Join();
            }
            return (rate, lags, drain);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
            Directory.Delete(folder, recursive: true);
        }
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

    private static string? Option(IReadOnlyList<string> args, string name)
    {
        for (int i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name)
                return args[i + 1];
        }
        return null;
    }

    /// <summary>Starts the real replication and keeps its session, so the bench can read its stats cheaply (GetStats reads every page).</summary>
    private sealed class CapturingReplication(IDatabaseReplication inner) : IDatabaseReplication
    {
        public IReplicationSession? Session { get; private set; }

        public IReplicationSession Start(PageDatabase database) => Session = inner.Start(database);
    }
}
