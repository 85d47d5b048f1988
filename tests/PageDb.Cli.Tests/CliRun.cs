namespace PageDb.Cli.Tests;

/// <summary>What one run of the command line printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Err)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Err}";
}

/// <summary>Runs <c>pagedb</c> in-process, in a temporary directory that the test's <see cref="Dispose"/> removes.</summary>
public sealed class CliRun : IDisposable
{
    public CliRun()
    {
        Directory = Path.Combine(Path.GetTempPath(), "pagedb-cli-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string File(string name) => Path.Combine(Directory, name);

    public static CliResult Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = Cli.Run(args, output, error);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts success.</summary>
    public static CliResult Ok(params string[] args)
    {
        CliResult result = Run(args);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return result;
    }

    /// <summary>Runs and asserts a failure reported as exactly one line on stderr, without a stack trace.</summary>
    public static CliResult Fails(int exitCode, params string[] args)
    {
        CliResult result = Run(args);
        Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
        string[] lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), result.ToString());
        Assert.That(lines[0], Does.StartWith("pagedb: ").And.Not.Contain(" at "), result.ToString());
        return result;
    }

    /// <summary>A database with an orders table (id key, customer, total nullable) and a key-value tree "kv".</summary>
    public string CreateSampleDatabase(string name = "sample.pagedb", int rows = 20)
    {
        string path = File(name);
        using var database = PageDatabase.Open(path);
        using (WriteTransaction tx = database.BeginWrite())
        {
            Table orders = tx.CreateTable(new TableSchema("orders",
                [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.String),
                 new Column("total", ColumnType.Double, Nullable: true)],
                primaryKey: ["id"]));
            for (int i = 1; i <= rows; i++)
                orders.Insert(Row.Of((long)i, i % 2 == 0 ? "alice" : "bob", i % 5 == 0 ? null : i * 1.5));
            tx.GetOrCreateTree("kv").Put("k"u8, "v"u8);
            tx.Commit();
        }
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
