using System.Diagnostics;
using NUnit.Framework;

namespace PageDb.Testing.Processes;

/// <summary>
/// The kill step of the SIGKILL tests: starts <c>dotnet child.dll arguments...</c>, waits (up to 30 s) for its line
/// starting with READY, lets it run <c>runMilliseconds</c> more, kills it (SIGKILL on Unix) and returns every line it
/// wrote to standard output. Fails the test when the child never got ready or ended by itself.
/// </summary>
public static class KilledChildRun
{
    /// <summary>Runs the child and kills it; its standard output lines, in order.</summary>
    public static List<string> Run(string childPath, IEnumerable<string> arguments, int runMilliseconds, string context)
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
            Thread.Sleep(runMilliseconds);
        bool exitedByItself = process.HasExited;
        process.Kill(); // SIGKILL on Unix
        process.WaitForExit();
        Assert.That(started && !exitedByItself, Is.True, $"the child did not run: {errors.Result}; {context}");
        lock (lines)
            return [.. lines];
    }
}
