using System.Diagnostics;
using System.Runtime;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>Waits out the runtime's recompilation of the methods a warm-up made hot, before anything is measured.</summary>
public static class JitQuiet
{
    /// <summary>
    /// Waits until the runtime has compiled no method for half a second (at most 30 s): the methods a warm-up made hot
    /// are recompiled optimized on a background thread after a delay, and without the wait that work, and the
    /// unoptimized code it replaces, land in the first measured run.
    /// </summary>
    public static void Wait()
    {
        var limit = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount();
        var quiet = Stopwatch.StartNew();
        while (quiet.ElapsedMilliseconds < 500 && limit.Elapsed.TotalSeconds < 30)
        {
            Thread.Sleep(50);
            long now = JitInfo.GetCompiledMethodCount();
            if (now != compiled)
                (compiled, quiet) = (now, Stopwatch.StartNew());
        }
    }
}
