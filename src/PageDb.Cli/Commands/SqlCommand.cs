using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PageDb.Cli.Prompt;
using PageDb.Sql;
using PageDb.Sql.Binding;
using PageDb.Sql.Scan;
using PageDb.Sql.Statistics;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb sql &lt;db&gt; [query] [-f file.sql] [--format table|csv|jsonl]</c>: runs SQL (creating the database when
/// missing) and prints a query's rows, or how many rows a change affected. With neither a query nor a file it reads
/// statements from standard input, each ending with ';', with the commands <c>.tables</c>, <c>.schema &lt;t&gt;</c>,
/// <c>.explain on|off</c> (print each query's plan before its rows) and <c>.quit</c>; an error there is printed and the
/// prompt goes on. On a terminal the prompt edits lines and recalls this session's statements (<see cref="LineEditor"/>);
/// piped input is read line by line as it is.
/// </summary>
internal static class SqlCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var query = new Argument<string?>("query") { Description = "The SQL to run (statements separated by ';')", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string>("--file", "-f") { Description = "Run the SQL in this file" };
        var format = new Option<string>("--format") { Description = "How to print rows: table (default), csv or jsonl", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "jsonl");
        var command = new Command("sql", "Run SQL statements, or read them interactively") { db, query, file, format };
        command.SetAction(r => context.Guard(() =>
        {
            string? sql = r.GetValue(file) is { } path ? File.ReadAllText(path) : r.GetValue(query);
            using PageDatabase database = DatabaseOpener.OpenOrCreate(r.GetValue(db)!);
            using var session = new SqlSession(database);
            if (sql is not null)
            {
                Print(session.Execute(sql), r.GetValue(format)!, context.Out);
                return ExitCodes.Ok;
            }
            Interactive(session, database, r.GetValue(format)!, context);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Interactive(SqlSession session, PageDatabase database, string format, CliContext context)
    {
        IPromptReader reader = !Console.IsInputRedirected && context.ErrIsTerminal ? new ConsoleLineReader(context.Err) : new PipedPromptReader(context.Err);
        var statement = new StringBuilder();
        bool explain = false;
        while (true)
        {
            string? line = reader.ReadLine(statement.Length == 0 ? "pagedb> " : "   ...> ");
            if (line is null || (statement.Length == 0 && line.Trim() == ".quit"))
                return;
            if (statement.Length == 0 && line.TrimStart().StartsWith('.'))
            {
                string command = line.Trim();
                reader.Remember(command);
                if (command is ".explain on" or ".explain off")
                    explain = command == ".explain on";
                else
                    context.Guard(() => DotCommand(command, database, context));
                continue;
            }
            statement.AppendLine(line);
            if (!line.TrimEnd().EndsWith(';'))
                continue;
            string sql = statement.ToString();
            statement.Clear();
            reader.Remember(sql.TrimEnd());
            context.Guard(() =>
            {
                if (explain && IsQuery(sql))
                    Print(session.Execute("EXPLAIN " + sql), format, context.Out);
                Print(session.Execute(sql), format, context.Out);
                return ExitCodes.Ok;
            });
        }
    }

    private static bool IsQuery(string sql)
    {
        string start = sql.TrimStart();
        return start.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || start.StartsWith("VALUES", StringComparison.OrdinalIgnoreCase);
    }

    private static int DotCommand(string line, PageDatabase database, CliContext context)
    {
        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        using ReadTransaction tx = database.BeginRead();
        switch (words[0])
        {
            case ".tables":
                foreach (string name in StatisticsStore.UserTableNames(tx))
                    context.Out.WriteLine(name);
                return ExitCodes.Ok;
            case ".schema" when words.Length == 2:
                TableSchema schema = TableLookup.Get(tx, words[1]).Schema;
                string columns = string.Join(", ", schema.Columns.Select(c => $"{c.Name} {TypeMapping.SqlName(c.Type)}{(c.Nullable ? "" : " NOT NULL")}"));
                string key = schema.HasRowId ? "" : $", PRIMARY KEY ({string.Join(", ", schema.PrimaryKey)})";
                context.Out.WriteLine($"CREATE TABLE {schema.Name} ({columns}{key})");
                return ExitCodes.Ok;
            default:
                throw new CliException($"unknown command '{line}' (try .tables, .schema <table>, .explain on|off, .quit)");
        }
    }

    /// <summary>Prints a query's rows in <paramref name="format"/>, or "N rows changed" for a change.</summary>
    private static void Print(SqlResult result, string format, TextWriter output)
    {
        if (!result.IsQuery)
        {
            if (result.RowsAffected >= 0)
                output.WriteLine(result.RowsAffected == 1 ? "1 row changed" : $"{result.RowsAffected.ToString(CultureInfo.InvariantCulture)} rows changed");
            return;
        }
        switch (format)
        {
            case "csv":
                output.WriteLine(string.Join(',', result.Columns.Select(Csv)));
                foreach (IReadOnlyList<Sql.Values.SqlValue> row in result.Rows)
                    output.WriteLine(string.Join(',', row.Select(v => v.IsNull ? "" : Csv(ValueText.Format(v.ToObject())))));
                break;
            case "jsonl":
                foreach (IReadOnlyList<Sql.Values.SqlValue> row in result.Rows)
                {
                    var record = new Dictionary<string, object?>();
                    for (int i = 0; i < row.Count; i++)
                        record[result.Columns[i]] = row[i].ToObject();
                    output.WriteLine(JsonSerializer.Serialize(record));
                }
                break;
            default:
                var table = new TextTable(result.Columns);
                foreach (IReadOnlyList<Sql.Values.SqlValue> row in result.Rows)
                    table.Add([.. row.Select(v => ValueText.Format(v.ToObject()))]);
                table.Write(output);
                output.WriteLine(result.Rows.Count == 1 ? "1 row" : result.Rows.Count.ToString(CultureInfo.InvariantCulture) + " rows");
                break;
        }
    }

    private static string Csv(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
