using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PageDb.Replication.Tests;

/// <summary>
/// A real S3-compatible server for the tests: s3rver (npm, 3.7.1) run by node on 127.0.0.1, on a port the operating
/// system picks, with one bucket, its data in a temporary folder. The folder s3rver is installed in (the one holding
/// node_modules/s3rver) comes from <see cref="EnvironmentVariable"/>; .ci/run installs it and sets the variable, so CI
/// always runs the S3 tests. Locally, without the variable, the tests are skipped with a message saying how to run them.
/// </summary>
internal sealed partial class S3rverProcess : IDisposable
{
    /// <summary>The environment variable naming the folder s3rver is installed in.</summary>
    public const string EnvironmentVariable = "PAGEDB_S3RVER";

    /// <summary>The bucket the server is started with.</summary>
    public const string Bucket = "pagedb-test";

    /// <summary>s3rver's fixed credentials.</summary>
    public const string AccessKey = "S3RVER";

    private readonly Process _process;
    private readonly string _dataDirectory;

    private S3rverProcess(Process process, string dataDirectory, Uri endpoint)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        Endpoint = endpoint;
    }

    /// <summary>The server's address, for <see cref="S3ReplicaStoreOptions.ServiceUrl"/>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Starts the server, or ignores the calling test when s3rver is not installed (never on CI).</summary>
    public static S3rverProcess Start()
    {
        string? installed = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(installed))
        {
            string how = $"{EnvironmentVariable} is not set: install s3rver with 'npm install --prefix <folder> s3rver@3.7.1' and set {EnvironmentVariable}=<folder> to run the S3 tests (.ci/run does)";
            if (Environment.GetEnvironmentVariable("CI") == "true")
                Assert.Fail(how);
            Assert.Ignore(how);
        }
        string script = Path.Combine(installed, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
            Assert.Fail($"{EnvironmentVariable}={installed}, but {script} does not exist");
        string data = Path.Combine(Path.GetTempPath(), "pagedb-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // s3rver encrypts list continuation tokens with DES, which Node 17+ (OpenSSL 3) only offers from its legacy provider.
        foreach (string argument in (string[])["--openssl-legacy-provider", script, "--directory", data, "--address", "127.0.0.1", "--port", "0", "--configure-bucket", Bucket])
            start.ArgumentList.Add(argument);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new S3rverProcess(process, data, WaitForEndpoint(process));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>Reads the server's output until it says where it listens ("S3rver listening on 127.0.0.1:PORT").</summary>
    private static Uri WaitForEndpoint(Process process)
    {
        Task<Uri?> listening = Task.Run(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                Match match = ListeningLine().Match(line);
                if (match.Success)
                    return new Uri($"http://127.0.0.1:{match.Groups[1].Value}");
            }
            return null;
        });
        // A start-up limit, not a timing assertion: only a server that never starts waits this long.
        if (!listening.Wait(TimeSpan.FromSeconds(60)) || listening.Result is not { } endpoint)
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("s3rver did not say it was listening within 60 s");
        }
        // Keep draining its log so the server never blocks on a full pipe; on a thread of its own, not a pool thread
        // held for the server's life (a test that fills the pool counts on the pool's threads being free).
        new Thread(() => process.StandardOutput.ReadToEnd()) { IsBackground = true, Name = "s3rver log" }.Start();
        return endpoint;
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
