using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PageDb.Cli.DataFiles;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb import &lt;db&gt; &lt;table&gt; &lt;file&gt;</c>: creates a table from a CSV or JSON Lines file in one
/// write transaction, bulk loaded when the rows come in key order. A bad record stops the import with its line and
/// the reason, and nothing is kept: not the table, nor the database file when the import created it.
/// </summary>
internal static class ImportCommand
{
    /// <summary>One import; <c>File</c> is the data file as the user named it, for messages.</summary>
    private sealed record Request(string Database, string Table, string File, DataFormat Format, string? Schema, string? SchemaFile, string? Key)
    {
        /// <summary>Where the data's bytes are read from: the file, or a temporary copy of a pipe (<see cref="ImportSource"/>).</summary>
        public string ReadPath { get; init; } = File;
    }

    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var tableName = CommonArguments.Table();
        var file = DataFileArguments.File("The CSV or JSON Lines file to read. Values: numbers as digits (invariant culture), "
            + "true/false, bytes as 0x hex, datetimes as ISO 8601 (UTC when no zone is given); in CSV an unquoted empty field is null "
            + "and \"\" the empty string");
        var format = DataFileArguments.Format();
        var schema = new Option<string>("--schema")
        {
            Description = "The columns, as 'name:type[?] [key [N]], ...' (types int64 double boolean string bytes datetime decimal; "
                + "? = nullable; key = primary key, key N = its Nth column); a name without :type is inferred. "
                + "Default: a CSV file's header line, or for JSON Lines the <file>.schema sidecar export writes, else inferred",
        };
        var schemaFile = new Option<string>("--schema-file") { Description = "Read the --schema text from this file" };
        var key = new Option<string>("--key")
        {
            Description = "The primary key's columns, comma-separated. Default: the columns marked key, else none (a hidden row id) "
                + "when every type is declared, else a column named id, else none",
        };
        var command = new Command("import", "Create a table from a CSV or JSON Lines file (one transaction; a bad row stops it and nothing is kept)")
        {
            db, tableName, file, format, schema, schemaFile, key,
        };
        command.SetAction(r => context.Guard(() =>
        {
            string path = r.GetValue(file)!;
            var request = new Request(r.GetValue(db)!, r.GetValue(tableName)!, path,
                DataFormats.Resolve(path, r.GetValue(format)), r.GetValue(schema), r.GetValue(schemaFile), r.GetValue(key));
            return Execute(context, request);
        }));
        return command;
    }

    private static int Execute(CliContext context, Request request)
    {
        if (!File.Exists(request.File))
            throw new CliException("file not found: " + request.File);
        IReadOnlyList<ColumnSpec>? declared = DeclaredSchema(request);
        using ImportSource source = ImportSource.Open(request.File);
        request = request with { ReadPath = source.Path };
        bool creates = !File.Exists(request.Database);
        try
        {
            return Import(context, request, declared);
        }
        catch when (creates)
        {
            File.Delete(request.Database);
            File.Delete(request.Database + "-wal");
            File.Delete(request.Database + "-wal2");
            File.Delete(request.Database + "-shm");
            throw;
        }
    }

    private static int Import(CliContext context, Request request, IReadOnlyList<ColumnSpec>? declared)
    {
        var clock = Stopwatch.StartNew();
        using PageDatabase database = DatabaseOpener.OpenOrCreate(request.Database);
        using WriteTransaction tx = database.BeginWrite();
        if (tx.TableNames.Contains(request.Table) || tx.TreeNames.Contains(request.Table))
            throw new CliException($"'{request.Table}' exists already; import creates a new table");
        TableSchema schema = DecideSchema(request, declared);
        Load(context, tx, schema, request);
        long rows = tx.GetTable(request.Table).Count;
        tx.Commit();
        double seconds = clock.Elapsed.TotalSeconds;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imported {rows} rows into {request.Table} in {seconds:0.00} s ({(seconds > 0 ? rows / seconds : 0):0} rows/s)"));
        return ExitCodes.Ok;
    }

    private static TableSchema DecideSchema(Request request, IReadOnlyList<ColumnSpec>? declared)
    {
        using IRecordReader reader = OpenReader(request, declared?.Select(c => c.Name).ToList());
        return AtLineOf(request.File, reader, () =>
        {
            if (request.Format == DataFormat.Csv && declared is not null)
                ImportSchema.RequireHeaderMatches(reader.Columns, declared);
            IReadOnlyList<string>? key = request.Key?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return ImportSchema.Decide(request.Table, reader, declared, key);
        });
    }

    private static void Load(CliContext context, WriteTransaction tx, TableSchema schema, Request request)
    {
        using IRecordReader reader = OpenReader(request, [.. schema.Columns.Select(c => c.Name)]);
        ImportProgress.Run(context.ErrIsTerminal, "importing " + Path.GetFileName(request.File), reader, progress =>
            AtLineOf(request.File, reader, () => tx.CreateTable(schema, Rows(reader, schema, progress))));
    }

    private static IEnumerable<Row> Rows(IRecordReader reader, TableSchema schema, ImportProgress progress)
    {
        while (reader.Read())
        {
            yield return RecordConverter.ToRow(reader.Fields, schema);
            progress.RowDone();
        }
    }

    /// <summary>Runs <paramref name="step"/>, naming the file and line of the record at fault when a record is refused.</summary>
    private static T AtLineOf<T>(string file, IRecordReader reader, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is DataFileException or ConstraintViolationException or ArgumentException)
        {
            string reason = e switch
            {
                ConstraintViolationException => "duplicate primary key: " + e.Message,
                DataFileException => e.Message,
                _ => ErrorText.Describe(e),
            };
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{file}:{reader.Line}: {reason}"));
        }
    }

    private static IRecordReader OpenReader(Request request, IReadOnlyList<string>? columns)
    {
        try
        {
            return RecordReaders.Open(request.ReadPath, request.Format, columns);
        }
        catch (DataFileException e)
        {
            throw new CliException($"{request.File}:1: {e.Message}");
        }
    }

    /// <summary>The columns of <c>--schema</c> or <c>--schema-file</c>, else of a JSON Lines file's sidecar, else null.</summary>
    private static List<ColumnSpec>? DeclaredSchema(Request request)
    {
        if (request.Schema is not null && request.SchemaFile is not null)
            throw new CliException("give --schema or --schema-file, not both");
        (string? text, string source) = request switch
        {
            { Schema: { } schema } => (schema, "--schema"),
            { SchemaFile: { } path } => (ReadSchemaFile(path), path),
            { Format: DataFormat.JsonLines } => (ReadSidecar(request.File), TableWriters.SchemaSidecarPath(request.File)),
            _ => ((string?)null, ""),
        };
        if (text is null)
            return null;
        try
        {
            return SchemaText.ParseLine(text);
        }
        catch (DataFileException e)
        {
            throw new CliException($"{source}: {e.Message}");
        }
    }

    private static string ReadSchemaFile(string path) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new CliException("schema file not found: " + path);

    private static string? ReadSidecar(string dataPath)
    {
        string path = TableWriters.SchemaSidecarPath(dataPath);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
