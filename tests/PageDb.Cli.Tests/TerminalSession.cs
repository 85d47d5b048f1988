using System.Diagnostics;
using System.Text;

namespace PageDb.Cli.Tests;

/// <summary>
/// Runs <c>pagedb</c> as a child process on a pseudo-terminal made by util-linux's <c>script</c>, so that standard input
/// and error are a terminal as when a person types: the test writes keys (bytes a terminal sends) and reads what the
/// terminal shows. Only on Linux with <c>script</c>; <see cref="Start"/> marks the test ignored elsewhere.
/// </summary>
internal sealed class TerminalSession : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _screen = new(); // guarded by itself: appended by the reading task, read by the test
    private readonly Task _reading;

    private TerminalSession(Process process)
    {
        _process = process;
        _reading = Task.Run(Read);
    }

    /// <summary>Everything the terminal showed so far.</summary>
    public string Screen
    {
        get
        {
            lock (_screen)
                return _screen.ToString();
        }
    }

    /// <summary>Starts <c>dotnet PageDb.Cli.dll</c> with <paramref name="args"/> on a new terminal.</summary>
    public static TerminalSession Start(params string[] args)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/script"))
            Assert.Ignore("needs util-linux's script to make a pseudo-terminal");
        string command = string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "PageDb.Cli.dll") }.Concat(args).Select(Quote));
        var start = new ProcessStartInfo("/usr/bin/script") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-q", "-f", "-e", "-c", command, "/dev/null" })
            start.ArgumentList.Add(arg);
        start.Environment["TERM"] = "xterm";
        return new TerminalSession(Process.Start(start)!);
    }

    /// <summary>Sends <paramref name="keys"/> as typed.</summary>
    public void Type(string keys)
    {
        _process.StandardInput.Write(keys);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits until the terminal has shown <paramref name="text"/> <paramref name="times"/> times in all.</summary>
    public void WaitFor(string text, int times)
    {
        var clock = Stopwatch.StartNew();
        while (Occurrences(Screen, text) < times)
        {
            Assert.That(clock.Elapsed < Patience && !_process.HasExited, Is.True, $"'{text}' shown fewer than {times} times:\n{Screen}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Waits for the program to end and returns its exit code.</summary>
    public int WaitForExit()
    {
        Assert.That(_process.WaitForExit(Patience), Is.True, "still running:\n" + Screen);
        _reading.Wait(Patience);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private static int Occurrences(string screen, string text) => (screen.Length - screen.Replace(text, "", StringComparison.Ordinal).Length) / text.Length;

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void Read()
    {
        var buffer = new char[4096];
        int read;
        while ((read = _process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
        {
            lock (_screen)
                _screen.Append(buffer, 0, read);
        }
    }
}
