using System.Globalization;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>The workload runner's command line, parsed.</summary>
public sealed record RunOptions
{
    /// <summary>Usage text for <c>--help</c> and errors.</summary>
    public const string Usage = """
        usage: PageDb.Benchmarks [--workloads W1,W3|all] [--engines sqlite,litedb|all] [--quick]
                                 [--repetitions N] [--out DIR] [--temp DIR] [--seed N] [--cache-mb N]
                                 [--baselines sqlite,litedb,lmdb,rocksdb] [--subject pagedb]
               PageDb.Benchmarks micro [BenchmarkDotNet options]
          --workloads    which of W1..W9, W9a, W10 to run (default all)
          --engines      which engines (default all known: see docs/benchmarks.md)
          --quick        smaller sizes, finishes within minutes
          --repetitions  measured repetitions per workload and engine; the median is reported (default 3)
          --out          folder for <timestamp>.json and .md results (default bench-results)
          --temp         folder the databases are created in (default the system temp folder)
          --seed         data seed (default 20240601)
          --cache-mb     page cache given to every engine that has one (default 64)
          --baselines    engines the ratio columns divide by, of those run (default sqlite,litedb,lmdb,rocksdb)
          --subject      ratio columns are shown for engines whose name starts with this (default pagedb)
        """;

    /// <summary>Workload ids to run ("W1".."W10"), in run order.</summary>
    public IReadOnlyList<string> Workloads { get; init; } = [];

    /// <summary>Engine names to run, in column order.</summary>
    public IReadOnlyList<string> Engines { get; init; } = [];

    /// <summary>Whether to use <see cref="WorkloadSizes.Quick"/>.</summary>
    public bool Quick { get; init; }

    /// <summary>Measured repetitions per workload and engine.</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>Where result files go.</summary>
    public string OutputFolder { get; init; } = "bench-results";

    /// <summary>Where databases are created.</summary>
    public string TempFolder { get; init; } = Path.GetTempPath();

    /// <summary>The data seed.</summary>
    public ulong Seed { get; init; } = 20240601;

    /// <summary>Page cache per engine, in bytes.</summary>
    public long CacheSizeBytes { get; init; } = 64L << 20;

    /// <summary>Engines the ratio columns divide by.</summary>
    public IReadOnlyList<string> Baselines { get; init; } = ["sqlite", "litedb", "lmdb", "rocksdb"];

    /// <summary>Name prefix of the engines ratios are shown for.</summary>
    public string Subject { get; init; } = "pagedb";

    /// <summary>The sizes for this run.</summary>
    public WorkloadSizes Sizes => Quick ? WorkloadSizes.Quick : WorkloadSizes.Full;

    /// <summary>Parses <paramref name="args"/>; returns null and sets <paramref name="error"/> when they are wrong.</summary>
    public static RunOptions? Parse(IReadOnlyList<string> args, IReadOnlyList<string> knownWorkloads, IReadOnlyList<string> knownEngines, out string? error)
    {
        var options = new RunOptions { Workloads = knownWorkloads, Engines = knownEngines };
        error = null;
        for (int i = 0; i < args.Count && error is null; i++)
        {
            string name = args[i];
            if (name == "--quick")
            {
                options = options with { Quick = true };
                continue;
            }
            if (i + 1 >= args.Count)
            {
                error = $"{name}: unknown option or missing value";
                break;
            }
            string value = args[++i];
            options = name switch
            {
                "--workloads" => options with { Workloads = PickNames(value, knownWorkloads, "workload", ref error) },
                "--engines" => options with { Engines = PickNames(value, knownEngines, "engine", ref error) },
                "--repetitions" => options with { Repetitions = PositiveInt(value, name, ref error) },
                "--out" => options with { OutputFolder = value },
                "--temp" => options with { TempFolder = value },
                "--seed" => options with { Seed = ulong.TryParse(value, CultureInfo.InvariantCulture, out ulong seed) ? seed : Fail<ulong>($"--seed: '{value}' is not a number", ref error) },
                "--cache-mb" => options with { CacheSizeBytes = (long)PositiveInt(value, name, ref error) << 20 },
                "--baselines" => options with { Baselines = SplitList(value) },
                "--subject" => options with { Subject = value },
                _ => Fail(options, $"{name}: unknown option", ref error),
            };
        }
        return error is null ? options : null;
    }

    private static IReadOnlyList<string> PickNames(string value, IReadOnlyList<string> known, string kind, ref string? error)
    {
        if (string.Equals(value, "all", StringComparison.OrdinalIgnoreCase))
        {
            return known;
        }
        var wanted = new HashSet<string>(SplitList(value), StringComparer.OrdinalIgnoreCase);
        foreach (string name in wanted)
        {
            if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return Fail<IReadOnlyList<string>>($"unknown {kind} '{name}' (known: {string.Join(", ", known)})", ref error);
            }
        }
        return [.. known.Where(wanted.Contains)]; // the catalog's order, whatever order they were asked in
    }

    private static int PositiveInt(string value, string name, ref string? error) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out int number) && number > 0
            ? number
            : Fail<int>($"{name}: '{value}' is not a positive number", ref error);

    private static string[] SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static T Fail<T>(T fallback, string message, ref string? error)
    {
        error ??= message;
        return fallback;
    }

    private static T Fail<T>(string message, ref string? error) => Fail<T>(default!, message, ref error);
}
