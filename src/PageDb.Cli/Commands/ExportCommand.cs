using System.CommandLine;
using System.Globalization;
using PageDb.Cli.DataFiles;
using PageDb.Execution;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb export &lt;db&gt; &lt;table&gt; &lt;file&gt;</c>: writes a table as CSV (typed header) or JSON Lines (plus
/// the <c>&lt;file&gt;.schema</c> sidecar) so that <c>import</c> rebuilds the same table: same columns, types,
/// nullability, primary key and values, bit for bit. The file appears whole or not at all.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var tableName = CommonArguments.Table();
        var file = DataFileArguments.File("The CSV or JSON Lines file to write (replaced if it exists)");
        var format = DataFileArguments.Format();
        var command = new Command("export", "Write a table to a CSV or JSON Lines file that import reads back into the same table")
        {
            db, tableName, file, format,
        };
        command.SetAction(r => context.Guard(() =>
        {
            string path = r.GetValue(file)!;
            return Execute(context, r.GetValue(db)!, r.GetValue(tableName)!, path, DataFormats.Resolve(path, r.GetValue(format)));
        }));
        return command;
    }

    private static int Execute(CliContext context, string path, string tableName, string file, DataFormat format)
    {
        using PageDatabase database = DatabaseOpener.OpenForReading(path);
        using ReadTransaction tx = database.BeginRead();
        Table table = TableLookup.Get(tx, tableName);
        string partial = file + ".partial";
        long rows;
        try
        {
            rows = Write(table, partial, format);
            if (format == DataFormat.JsonLines)
                File.WriteAllText(TableWriters.SchemaSidecarPath(file), SchemaText.FormatLine(table.Schema));
            File.Move(partial, file, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exported {rows} rows of {tableName} to {file}"));
        return ExitCodes.Ok;
    }

    private static long Write(Table table, string path, DataFormat format)
    {
        long rows = 0;
        using ITableWriter writer = TableWriters.Create(path, format, table.Schema);
        using TableScan scan = table.Scan();
        foreach (Row row in scan)
        {
            writer.Write(row);
            rows++;
        }
        return rows;
    }
}
