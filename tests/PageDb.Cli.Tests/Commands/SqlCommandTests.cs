using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PageDb.Cli.Tests.Commands;

/// <summary>pagedb sql: statements from the argument or a file, the three output formats, and one-line errors.</summary>
public sealed class SqlCommandTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void Statements_change_a_new_database_and_a_query_prints_a_table()
    {
        string db = _run.File("new.pagedb");
        CliResult created = CliRun.Ok("sql", db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        Assert.That(created.Out, Is.EqualTo("2 rows changed" + Environment.NewLine));
        CliResult queried = CliRun.Ok("sql", db, "SELECT name, id * 10 AS tens FROM t ORDER BY id DESC");
        Assert.That(queried.Out, Does.Contain("name").And.Contain("tens").And.Contain("20").And.EndWith("2 rows" + Environment.NewLine));
        Assert.That(queried.Out, Does.Match(@"b\s+20\s*\r?\n\s*a\s+10"));
    }

    [Test]
    public void A_file_runs_and_rows_print_as_csv_or_jsonl()
    {
        string db = _run.CreateSampleDatabase(rows: 3);
        string file = _run.File("q.sql");
        File.WriteAllText(file, "SELECT id, customer FROM orders\nWHERE id <= 2\nORDER BY id;\n");
        CliResult csv = CliRun.Ok("sql", db, "-f", file, "--format", "csv");
        Assert.That(csv.Out.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)[0], Is.EqualTo("id,customer"));
        Assert.That(csv.Out.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));
        CliResult jsonl = CliRun.Ok("sql", db, "SELECT id FROM orders WHERE id = 1", "--format", "jsonl");
        Assert.That(jsonl.Out.Trim(), Is.EqualTo("{\"id\":1}"));
    }

    [Test]
    public void The_prompt_runs_multi_line_statements_and_explain_on_prints_each_querys_plan()
    {
        string db = _run.CreateSampleDatabase(rows: 5);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "PageDb.Cli.dll"), "sql", db })
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        process.StandardInput.Write("SELECT count(*) AS n\nFROM orders;\n.explain on\nSELECT id FROM orders WHERE id = 3;\n.explain off\nSELECT id FROM orders WHERE id = 4;\n.nonsense\n.quit\n");
        process.StandardInput.Close();
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(60_000), Is.True);
        Assert.That(process.ExitCode, Is.Zero, error);
        Assert.That(output, Does.Match(@"^n\r?\n-+\r?\n5\r?\n1 row"), "the statement over two lines");
        Assert.That(output, Does.Contain("SEARCH orders USING PRIMARY KEY (id=?)"));
        Assert.That(output.Split("SEARCH orders").Length, Is.EqualTo(2), "no plan once .explain is off: " + output);
        Assert.That(error, Does.Contain("unknown command '.nonsense'"));
    }

    /// <summary>
    /// On a terminal the prompt edits lines and Up recalls a whole statement, including one typed over two lines;
    /// Ctrl+D on an empty line ends it.
    /// </summary>
    [Test]
    public void On_a_terminal_the_prompt_edits_lines_and_up_recalls_whole_statements()
    {
        string db = _run.CreateSampleDatabase(rows: 5);
        using TerminalSession terminal = TerminalSession.Start("sql", db);
        // Each step waits for a new prompt (after a line break: a redraw starts with '\r' instead) before typing.
        var steps = new (string Prompt, int Shown, string Keys)[]
        {
            ("pagedb> ", 1, "SELECT count(*) AS n\r"),
            ("\n   ...> ", 1, "FROM orders;\r"),
            ("\npagedb> ", 1, "\u001b[A\r"), // Up: the two-line statement again
            ("\npagedb> ", 2, "ELECT id FROM orders WHERE id = 2;\u0001S\r"), // Ctrl+A, then the missing S
            ("\npagedb> ", 3, "\u001b[A\u001b[D\u007f4\r"), // Up, Left, Backspace: id = 4
            ("\npagedb> ", 4, "\u0004"), // Ctrl+D on the empty line
        };
        foreach ((string prompt, int shown, string keys) in steps)
        {
            terminal.WaitFor(prompt, shown);
            terminal.Type(keys);
        }
        Assert.That(terminal.WaitForExit(), Is.Zero, terminal.Screen);
        Assert.That(Regex.Count(terminal.Screen, @"n\s*\r?\n-+\s*\r?\n5\s*\r?\n1 row"), Is.EqualTo(2), terminal.Screen);
        Assert.That(terminal.Screen, Does.Match(@"id\s*\r?\n-+\s*\r?\n2\s*\r?\n1 row").And.Match(@"id\s*\r?\n-+\s*\r?\n4\s*\r?\n1 row"));
    }

    [Test]
    public void A_syntax_error_is_one_line_that_points_at_the_column()
    {
        string db = _run.CreateSampleDatabase(rows: 1);
        CliResult result = CliRun.Fails(ExitCodes.Failed, "sql", db, "SELECT id FROM orders WHERE");
        Assert.That(result.Err, Does.Contain("line 1, column 28"));
    }
}
