using System.IO.Pipes;
using System.Text;

namespace PageDb.Cli.Tests.Bugs;

/// <summary>
/// <c>cat rows.csv | pagedb import db t /dev/stdin --format csv ...</c> imported 19,904 of 20,000 rows and exited 0.
/// Import opened its file twice (once to decide the schema, once to load), and a second open of a pipe does not start
/// over: it goes on where the first reader's buffered read stopped, so the rows that read took were silently skipped.
/// A pipe is now copied once into a temporary file that both passes read. The test reads a real pipe through
/// <c>/proc/self/fd/N</c>, the same kind of path as <c>/dev/stdin</c>.
/// </summary>
[Platform("Linux")]
public sealed class ImportFromAPipeTests
{
    [Test]
    public void EveryRowOfAPipeIsImported()
    {
        const int Rows = 20_000;
        using var run = new CliRun();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        Task writer = Task.Run(() =>
        {
            using var client = new AnonymousPipeClientStream(PipeDirection.Out, pipe.ClientSafePipeHandle);
            using var text = new StreamWriter(client, new UTF8Encoding(false));
            text.Write("id,name\n");
            for (int i = 0; i < Rows; i++)
                text.Write($"{i},name {i}\n");
        });
        string db = run.File("piped.pagedb");
        string source = "/proc/self/fd/" + pipe.SafePipeHandle.DangerousGetHandle();

        CliResult result = CliRun.Ok("import", db, "t", source, "--format", "csv", "--schema", "id:int64 key, name:string");
        writer.Wait();

        Assert.That(result.Out, Does.StartWith($"imported {Rows} rows into t in "));
        using PageDatabase database = PageDatabase.Open(db);
        using ReadTransaction tx = database.BeginRead();
        Assert.That(tx.GetTable("t").Count, Is.EqualTo(Rows));
    }
}
