using System.CommandLine;

namespace PageDb.Cli.Commands;

/// <summary><c>pagedb schema &lt;db&gt; &lt;table&gt;</c>: the table's columns, primary key and indexes.</summary>
internal static class SchemaCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var tableName = CommonArguments.Table();
        var command = new Command("schema", "Show a table's columns, primary key and indexes") { db, tableName };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(db)!, r.GetValue(tableName)!)));
        return command;
    }

    private static int Execute(CliContext context, string path, string tableName)
    {
        using PageDatabase database = DatabaseOpener.OpenForReading(path);
        using ReadTransaction tx = database.BeginRead();
        Table table = TableLookup.Get(tx, tableName);
        TableSchema schema = table.Schema;
        var columns = new TextTable(["column", "type", "nullable", "key"]);
        foreach (Column column in schema.Columns)
        {
            string key = schema.PrimaryKey.Contains(column.Name) ? "primary" : "";
            columns.Add(column.Name, column.Type.ToString(), column.Nullable ? "yes" : "no", key);
        }
        columns.Write(context.Out);
        if (schema.HasRowId)
            context.Out.WriteLine("primary key: none (rows are keyed by a hidden row id)");
        foreach (string index in table.IndexNames)
            context.Out.WriteLine("index: " + index);
        return ExitCodes.Ok;
    }
}
