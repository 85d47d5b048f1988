using System.Diagnostics;
using NUnit.Framework;

namespace PageDb.Testing.Processes;

/// <summary>
/// A running tests/PageDb.ProcessChild: its output lines as they come (the last "ACK n" as <see cref="LastAck"/>),
/// waiting for a line, a request on its standard input, and SIGKILL. Disposing kills it when it still runs.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;

    // Protects _lines and _ended; pulsed at every line and at the end of the output.
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private bool _ended;
    private long _lastAck = -1;

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _errors = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>The last commit the child acknowledged ("ACK n"), or -1.</summary>
    public long LastAck => Interlocked.Read(ref _lastAck);

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts the child in <paramref name="mode"/> on <paramref name="databasePath"/> (see the child's usage), with
    /// <paramref name="environment"/> added to its environment (PAGEDB_CHILD_LOCKS: the kind of OS locks it uses).
    /// </summary>
    public static ChildProcess Start(string mode, string databasePath, long? checkpointThresholdBytes = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ChildPath());
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(databasePath);
        if (checkpointThresholdBytes is { } threshold)
            start.ArgumentList.Add(threshold.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return new ChildProcess(new Process { StartInfo = start });
    }

    /// <summary>Writes <paramref name="request"/> to the child's standard input and returns the next line starting with <paramref name="prefix"/>.</summary>
    public string Ask(string request, string prefix)
    {
        int seen;
        lock (_gate)
            seen = _lines.Count;
        _process.StandardInput.WriteLine(request);
        _process.StandardInput.Flush();
        return WaitFor(prefix, seen);
    }

    /// <summary>Waits for the first line starting with <paramref name="prefix"/> (after the first <paramref name="skip"/> lines) and returns it; fails the test after 60 s or when the child's output ends first.</summary>
    public string WaitFor(string prefix, int skip = 0)
    {
        long deadline = Environment.TickCount64 + 60_000;
        lock (_gate)
        {
            while (true)
            {
                for (int i = skip; i < _lines.Count; i++)
                {
                    if (_lines[i].StartsWith(prefix, StringComparison.Ordinal))
                        return _lines[i];
                }
                if (_ended)
                    Assert.Fail($"the child's output ended before '{prefix}': {string.Join(" | ", _lines)} {_errors.Result}");
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                    Assert.Fail($"no '{prefix}' from the child in 60 s: {string.Join(" | ", _lines)}");
                Monitor.Wait(_gate, (int)Math.Min(left, 500));
            }
        }
    }

    /// <summary>Waits until the child has acknowledged commit <paramref name="n"/> or later.</summary>
    public void WaitForAck(long n)
    {
        long deadline = Environment.TickCount64 + 60_000;
        while (LastAck < n)
        {
            if (_process.HasExited)
                Assert.Fail($"the writer child exited ({_process.ExitCode}): {_errors.Result}");
            if (Environment.TickCount64 > deadline)
                Assert.Fail($"the writer child acknowledged only {LastAck} of {n} commits in 60 s");
            Thread.Sleep(1);
        }
    }

    /// <summary>Waits for the child to exit by itself and returns its exit code.</summary>
    public int WaitForExit()
    {
        Assert.That(_process.WaitForExit(60_000), Is.True, "the child did not exit");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Kills the child with SIGKILL (TerminateProcess on Windows) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.WaitForExit();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            lock (_gate)
            {
                _ended = true;
                Monitor.PulseAll(_gate);
            }
            return;
        }
        if (line.StartsWith("ACK ", StringComparison.Ordinal))
        {
            Interlocked.Exchange(ref _lastAck, long.Parse(line.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture));
            return; // acknowledgements come thousands a second: only the last one is kept
        }
        lock (_gate)
        {
            _lines.Add(line);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>tests/PageDb.ProcessChild's build output, beside the test project's (same configuration and framework).</summary>
    private static string ChildPath()
    {
        string testDirectory = TestContext.CurrentContext.TestDirectory;
        DirectoryInfo? tests = new(testDirectory);
        while (tests is not null && tests.Name != "tests")
            tests = tests.Parent;
        Assert.That(tests, Is.Not.Null, $"no tests folder above {testDirectory}");
        string relative = Path.GetRelativePath(tests!.FullName, testDirectory); // PageDb.X.Tests/bin/Release/net10.0
        string build = relative[(relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal) + 1)..];
        return Path.Combine(tests.FullName, "PageDb.ProcessChild", build, "PageDb.ProcessChild.dll");
    }
}
