using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PageDb.Cli.DataFiles;
using PageDb.Cli.SqliteImport;
using PageDb.Sql;
using PageDb.Sql.Execution;
using PageDb.Sql.Values;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb import-sqlite &lt;file.sqlite&gt; &lt;db&gt; [--force]</c>: copies every table, index and row of a SQLite
/// database into a new PageDb database in one write transaction, and prints a line for each thing it could not map
/// (<see cref="SqliteSchema"/> says how the schema is mapped).
/// </summary>
/// <remarks>
/// The database is built in a temporary file beside the target, committed, checkpointed into the file and closed, then
/// moved over the target as <c>restore</c> does (<see cref="TargetReplacement"/>), so a failure at any point (a file
/// that is not SQLite, a value PageDb's column refuses) leaves the target as it was, or absent, and no temporary file.
/// </remarks>
internal static class ImportSqliteCommand
{
    public static Command Create(CliContext context)
    {
        var source = new Argument<string>("sqlite") { Description = "The SQLite database file to read (opened read-only)" };
        var db = CommonArguments.Database();
        var force = new Option<bool>("--force") { Description = "Replace an existing database at <db> (and delete its WAL)" };
        var command = new Command("import-sqlite",
            "Copy every table, index and row of a SQLite database into a new database (one transaction). Column types follow "
            + "SQLite's declared-type rules; a table keeps its PRIMARY KEY (an INTEGER PRIMARY KEY, SQLite's rowid, is the key "
            + "with its values); a table without one gets PageDb's hidden row id, numbered 1..N in SQLite's rowid order. "
            + "Views, triggers, expression and partial indexes are listed as not mapped")
        {
            source, db, force,
        };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(source)!, r.GetValue(db)!, r.GetValue(force))));
        return command;
    }

    private static int Execute(CliContext context, string source, string path, bool force)
    {
        if (!File.Exists(source))
            throw new CliException("file not found: " + source);
        TargetReplacement.RefuseExisting(path, force, "the imported database");
        var clock = Stopwatch.StartNew();
        using SqliteConnection sqlite = OpenSqlite(source);
        SqliteSchema schema = Readable(source, () => SqliteSchema.Read(sqlite));
        string temporary = $"{Path.GetFullPath(path)}.{Guid.NewGuid():N}.import";
        try
        {
            long rows = Build(context, sqlite, source, schema, temporary);
            TargetReplacement.MoveInto(temporary, path);
            foreach (string line in schema.Unmapped)
                context.Out.WriteLine("not mapped: " + line);
            int indexes = schema.Tables.Sum(t => t.Indexes.Count);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imported {schema.Tables.Count} tables, {indexes} indexes and {rows} rows from {source} into {path} in {clock.Elapsed.TotalSeconds:0.00} s; {schema.Unmapped.Count} not mapped"));
            return ExitCodes.Ok;
        }
        finally
        {
            foreach (string suffix in (string[])["", "-wal", "-wal2", "-shm"])
                File.Delete(temporary + suffix);
        }
    }

    private static SqliteConnection OpenSqlite(string source)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        Readable(source, () => { connection.Open(); return 0; });
        return connection;
    }

    /// <summary>Runs a read of the SQLite file, turning SQLite's failure (not a database, damaged) into one line.</summary>
    private static T Readable<T>(string source, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SqliteException e)
        {
            throw new CliException($"'{source}' is not a readable SQLite database ({e.Message}); nothing was imported");
        }
    }

    /// <summary>Builds the database at <paramref name="temporary"/> in one transaction; returns the rows copied.</summary>
    private static long Build(CliContext context, SqliteConnection sqlite, string source, SqliteSchema schema, string temporary)
    {
        using PageDatabase database = DatabaseOpener.OpenOrCreate(temporary);
        using (WriteTransaction tx = database.BeginWrite())
        {
            using SqliteTransaction snapshot = sqlite.BeginTransaction(deferred: true);
            ImportProgress.Run(context.ErrIsTerminal, "importing " + Path.GetFileName(source), schema.Tables.Sum(t => t.RowCount), null, progress =>
            {
                foreach (SqliteTable table in schema.Tables)
                    Copy(tx, sqlite, source, table, progress);
            });
            tx.Commit();
        }
        database.Checkpoint(CheckpointMode.Truncate);
        using ReadTransaction read = database.BeginRead();
        return schema.Tables.Sum(t => read.GetTable(t.Schema.Name).Count);
    }

    private static void Copy(WriteTransaction tx, SqliteConnection sqlite, string source, SqliteTable table, ImportProgress progress)
    {
        long row = 0;
        try
        {
            Table created = tx.CreateTable(table.Schema, Rows(sqlite, source, table, progress, () => row++));
            foreach (SqliteIndex index in table.Indexes)
                created.CreateIndex(index.Name, index.Columns, index.Unique);
        }
        catch (Exception e) when (e is SqlException or ConstraintViolationException or ArgumentException or PageDbException)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: table {table.Schema.Name}, row {row}: {ErrorText.Describe(e)}; nothing was imported"));
        }
    }

    private static IEnumerable<Row> Rows(SqliteConnection sqlite, string source, SqliteTable table, ImportProgress progress, Action counted)
    {
        using SqliteCommand command = sqlite.CreateCommand();
        command.CommandText = table.Select;
        using SqliteDataReader reader = Readable(source, command.ExecuteReader);
        var values = new SqlValue[reader.FieldCount];
        while (Readable(source, reader.Read))
        {
            counted();
            for (int i = 0; i < values.Length; i++)
                values[i] = SqlValue.FromObject(reader.GetValue(i));
            yield return StoredValues.ToRow(table.Schema, values);
            progress.RowDone();
        }
    }
}
