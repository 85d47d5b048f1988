using System.Diagnostics;
using NUnit.Framework;

namespace PageDb.Testing.Processes;

/// <summary>
/// The kill step of the SIGKILL tests: starts <c>dotnet child.dll arguments...</c>, waits (up to 30 s) for its line
/// starting with READY, lets it run <c>runMilliseconds</c> more, then, when the caller names a state the child must
/// have reached before it dies (a condition on its lines so far), waits for it too (up to <see cref="StateDeadline"/>),
/// kills it (SIGKILL on Unix) and returns every line it wrote to standard output. Fails the test when the child never
/// got ready or ended by itself; a state not reached by the deadline is left to the caller's assertions (the child is
/// killed anyway), which say what was missing.
/// </summary>
public static class KilledChildRun
{
    /// <summary>
    /// How long a child may take, past its run time, to reach the state the caller waits for: generous, as a loaded
    /// machine (CI has 2 cores) stretches a child's first snapshot and shipment from tens of milliseconds to seconds.
    /// </summary>
    public static readonly TimeSpan StateDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Runs the child <paramref name="runMilliseconds"/> past READY and kills it; its standard output lines, in order.</summary>
    public static List<string> Run(string childPath, IEnumerable<string> arguments, int runMilliseconds, string context) =>
        Run(childPath, arguments, runMilliseconds, _ => true, context);

    /// <summary>
    /// Runs the child <paramref name="runMilliseconds"/> past READY and on until <paramref name="reached"/> holds for
    /// its lines so far (or <see cref="StateDeadline"/> passes, or it ends), then kills it; its standard output lines, in
    /// order. <paramref name="reached"/> is asked every 10 ms with the live list, which only grows, while the list's lock
    /// holds off new lines: it should read only the lines it has not read before.
    /// </summary>
    public static List<string> Run(string childPath, IEnumerable<string> arguments, int runMilliseconds, Func<IReadOnlyList<string>, bool> reached, string context)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(childPath);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        var lines = new List<string>();
        using var ready = new ManualResetEventSlim();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (lines)
                lines.Add(e.Data);
            if (e.Data.StartsWith("READY", StringComparison.Ordinal))
                ready.Set();
        };
        process.Start();
        process.BeginOutputReadLine();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        bool started = ready.Wait(TimeSpan.FromSeconds(30));
        if (started)
        {
            Thread.Sleep(runMilliseconds);
            var waited = Stopwatch.StartNew();
            while (!process.HasExited && waited.Elapsed < StateDeadline && !Reached())
                Thread.Sleep(10);
        }
        bool exitedByItself = process.HasExited;
        process.Kill(); // SIGKILL on Unix
        process.WaitForExit();
        Assert.That(started && !exitedByItself, Is.True, $"the child did not run: {errors.Result}; {context}");
        lock (lines)
            return [.. lines];

        bool Reached()
        {
            lock (lines)
                return reached(lines);
        }
    }
}
