using System.CommandLine;
using System.Globalization;
using PageDb.Sql.Scan;
using PageDb.Execution;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb scan &lt;db&gt; &lt;table&gt; [--columns a,b] [--where cond] [--order-by keys] [--limit n] [--explain]</c>:
/// plans the query (<see cref="QueryPlanner"/>) and prints its rows as a table followed by the row count, or prints
/// the plan.
/// </summary>
internal static class ScanCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var tableName = CommonArguments.Table();
        var columns = new Option<string>("--columns") { Description = "The columns to print, separated by commas (default: all)" };
        var where = new Option<string>("--where") { Description = "A condition, e.g. \"total > 10 and customer = 'x'\"" };
        var orderBy = new Option<string>("--order-by") { Description = "Sort keys, e.g. \"customer, total desc\"" };
        var limit = new Option<long?>("--limit") { Description = "Print at most this many rows" };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() < 0)
                result.AddError("--limit must be 0 or more");
        });
        var explain = new Option<bool>("--explain") { Description = "Print the plan instead of running it" };
        var command = new Command("scan", "Query a table: filter, sort and limit its rows, or explain the plan")
        {
            db, tableName, columns, where, orderBy, limit, explain,
        };
        command.SetAction(r => context.Guard(() =>
        {
            ScanQuery query = ScanQuery.Parse(r.GetValue(columns), r.GetValue(where), r.GetValue(orderBy), r.GetValue(limit));
            return Execute(context, r.GetValue(db)!, r.GetValue(tableName)!, query, r.GetValue(explain));
        }));
        return command;
    }

    private static int Execute(CliContext context, string path, string tableName, ScanQuery query, bool explain)
    {
        using PageDatabase database = DatabaseOpener.OpenForReading(path);
        using ReadTransaction tx = database.BeginRead();
        Table table = TableLookup.Get(tx, tableName);
        using PlanOperator plan = QueryPlanner.Plan(table, query.Bind(table.Schema));
        if (explain)
            context.Out.Write(plan.Explain());
        else
            Print(plan, context.Out);
        return ExitCodes.Ok;
    }

    /// <summary>Runs the plan and writes its rows as a table, then "N rows".</summary>
    private static void Print(PlanOperator plan, TextWriter output)
    {
        var table = new TextTable([.. plan.Columns.Select(c => c.Name)]);
        long count = 0;
        foreach (Row row in plan)
        {
            var cells = new string[row.Count];
            for (int i = 0; i < cells.Length; i++)
                cells[i] = ValueText.Format(row[i]);
            table.Add(cells);
            count++;
        }
        table.Write(output);
        output.WriteLine(count == 1 ? "1 row" : count.ToString(CultureInfo.InvariantCulture) + " rows");
    }
}
