using System.CommandLine;
using System.Globalization;
using PageDb.Sql.Statistics;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb tables &lt;db&gt;</c>: every table with its row count (but ANALYZE's <c>pagedb_stat</c>), and the key-value
/// trees that are not tables.
/// </summary>
internal static class TablesCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var command = new Command("tables", "List the tables (with row counts) and the key-value trees") { db };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(db)!)));
        return command;
    }

    private static int Execute(CliContext context, string path)
    {
        using PageDatabase database = DatabaseOpener.OpenForReading(path);
        using ReadTransaction tx = database.BeginRead();
        var table = new TextTable(["name", "kind", "rows"]);
        foreach (string name in StatisticsStore.UserTableNames(tx))
            table.Add(name, "table", tx.GetTable(name).Count.ToString(CultureInfo.InvariantCulture));
        foreach (string name in tx.TreeNames)
            table.Add(name, "tree", tx.GetTree(name).Count.ToString(CultureInfo.InvariantCulture));
        table.Write(context.Out);
        return ExitCodes.Ok;
    }
}
