using System.CommandLine;
using System.Globalization;

namespace PageDb.Cli.Commands;

/// <summary><c>pagedb count &lt;db&gt; &lt;table&gt;</c>: the number of rows.</summary>
internal static class CountCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var tableName = CommonArguments.Table();
        var command = new Command("count", "Print a table's number of rows") { db, tableName };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(db)!, r.GetValue(tableName)!)));
        return command;
    }

    private static int Execute(CliContext context, string path, string tableName)
    {
        using PageDatabase database = DatabaseOpener.OpenForReading(path);
        using ReadTransaction tx = database.BeginRead();
        context.Out.WriteLine(TableLookup.Get(tx, tableName).Count.ToString(CultureInfo.InvariantCulture));
        return ExitCodes.Ok;
    }
}
