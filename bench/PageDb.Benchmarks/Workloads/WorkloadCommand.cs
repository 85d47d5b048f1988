using System.Globalization;
using PageDb.Benchmarks.Workloads.Reporting;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// The default command: parses the options, runs the workloads, prints the markdown table to stdout (progress goes
/// to stderr) and writes &lt;timestamp&gt;.json and &lt;timestamp&gt;.md to the output folder.
/// </summary>
public static class WorkloadCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(RunOptions.Usage);
            return 0;
        }
        IReadOnlyList<Workload> allWorkloads = WorkloadCatalog.CreateAll();
        RunOptions? options = RunOptions.Parse(args, [.. allWorkloads.Select(w => w.Id)], [.. EngineCatalog.All.Select(e => e.Name)], out string? error);
        if (options is null)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(RunOptions.Usage);
            return 2;
        }
        List<EngineDescriptor> engines = [.. EngineCatalog.All.Where(e => options.Engines.Contains(e.Name))];
        List<Workload> workloads = [.. allWorkloads.Where(w => options.Workloads.Contains(w.Id))];

        RunReport report = new WorkloadRunner(options, engines, workloads, Console.Error).Run();
        string markdown = MarkdownReport.Render(report);
        Console.WriteLine(markdown);
        WriteFiles(options.OutputFolder, report, markdown);
        return report.Workloads.SelectMany(w => w.Results).All(r => r.Status is nameof(CellStatus.Ok) or nameof(CellStatus.NotApplicable)) ? 0 : 1;
    }

    private static void WriteFiles(string folder, RunReport report, string markdown)
    {
        Directory.CreateDirectory(folder);
        string stem = Path.Combine(folder, report.StartedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        File.WriteAllText(stem + ".json", JsonReport.Render(report));
        File.WriteAllText(stem + ".md", markdown);
        Console.Error.WriteLine($"results written to {stem}.json and {stem}.md");
    }
}
