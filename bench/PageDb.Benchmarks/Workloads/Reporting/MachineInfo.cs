using System.Runtime.InteropServices;

namespace PageDb.Benchmarks.Workloads.Reporting;

/// <summary>What the run ran on.</summary>
public sealed record MachineInfo(string Os, string Runtime, string Cpu, int LogicalCores, string Architecture)
{
    /// <summary>This machine.</summary>
    public static MachineInfo Current() => new(
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        CpuModel(),
        Environment.ProcessorCount,
        RuntimeInformation.ProcessArchitecture.ToString());

    private static string CpuModel()
    {
        const string CpuInfoPath = "/proc/cpuinfo";
        if (OperatingSystem.IsLinux() && File.Exists(CpuInfoPath))
        {
            foreach (string line in File.ReadLines(CpuInfoPath))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        return "unknown";
    }
}
