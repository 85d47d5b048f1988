using System.Diagnostics;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// Measures how far the process's peak working set rose over a stretch of the run. On Linux the kernel's
/// high-water mark is reset at the start (writing 5 to /proc/self/clear_refs), so the peak is this stretch's own;
/// elsewhere the process's lifetime peak is used, which only shows growth beyond every earlier peak.
/// </summary>
/// <remarks>
/// All engines share one process and one managed heap, so memory the GC keeps after one engine may be reused by the
/// next: the figure is an estimate of the engine's footprint, not an exact one.
/// </remarks>
public readonly struct MemoryWindow
{
    private const string ClearRefsPath = "/proc/self/clear_refs";
    private const string StatusPath = "/proc/self/status";

    private readonly long _startBytes;

    private MemoryWindow(long startBytes) => _startBytes = startBytes;

    /// <summary>Collects garbage (so the last run's leftovers do not count), then opens the window.</summary>
    public static MemoryWindow Open()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        bool reset = TryResetPeak();
        using Process process = Process.GetCurrentProcess();
        return new MemoryWindow(reset ? process.WorkingSet64 : process.PeakWorkingSet64);
    }

    /// <summary>How many bytes the peak working set rose above the start.</summary>
    public long PeakGrowthBytes()
    {
        long peak = ReadLinuxPeak() ?? CurrentProcessPeak();
        return Math.Max(0, peak - _startBytes);
    }

    private static bool TryResetPeak()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            File.WriteAllText(ClearRefsPath, "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadLinuxPeak()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        foreach (string line in File.ReadLines(StatusPath))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                string kilobytes = line["VmHWM:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim();
                return long.Parse(kilobytes, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        return null;
    }

    private static long CurrentProcessPeak()
    {
        using Process process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
