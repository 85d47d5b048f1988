using System.Diagnostics;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// The raw rate of "append 4 KB + fsync" on the disk the engines use: the ceiling for a commit that needs one sync.
/// FileStream.Flush(flushToDisk: true) is fsync on Linux and FlushFileBuffers on Windows.
/// </summary>
public static class DiskProbe
{
    private const int BlockSize = 4096;

    /// <summary>Appends <paramref name="appends"/> blocks to a new file in <paramref name="folder"/>, syncing after each.</summary>
    public static DiskProbeResult Measure(string folder, int appends)
    {
        string path = Path.Combine(folder, $"disk-probe-{Guid.NewGuid():N}.bin");
        var block = new byte[BlockSize];
        Random.Shared.NextBytes(block);
        var latencies = new long[appends];
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < appends; i++)
            {
                long before = Stopwatch.GetTimestamp();
                stream.Write(block);
                stream.Flush(flushToDisk: true);
                latencies[i] = Stopwatch.GetTimestamp() - before;
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            return new DiskProbeResult(appends / seconds, Statistics.Median<long>(latencies) * 1000.0 / Stopwatch.Frequency);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
