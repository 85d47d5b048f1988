using System.Diagnostics;
using PageDb.Execution;

namespace PageDb.Samples.QuickStart;

/// <summary>Runs a plan and prints what it is, its first rows, how many rows it produced and how long that took.</summary>
internal static class PlanRunner
{
    private const int RowsShown = 5;

    /// <summary>Runs <paramref name="plan"/> to the end and returns all its rows for checking.</summary>
    public static List<Row> Run(string title, PlanOperator plan)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        foreach (string line in plan.Explain().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Console.WriteLine("  plan: " + line);
        var watch = Stopwatch.StartNew();
        var rows = new List<Row>();
        foreach (Row row in plan)
            rows.Add(row);
        watch.Stop();
        foreach (Row row in rows.Take(RowsShown))
            Console.WriteLine("    " + Format(row, plan.Columns));
        if (rows.Count > RowsShown)
            Console.WriteLine("    ...");
        Console.WriteLine($"  {rows.Count:N0} rows in {watch.Elapsed.TotalMilliseconds:N1} ms");
        return rows;
    }

    private static string Format(Row row, IReadOnlyList<OutputColumn> columns) =>
        string.Join(", ", columns.Select((column, i) => $"{column.Name}={Format(row[i])}"));

    private static string Format(object? value) => value switch
    {
        null => "null",
        DateTime time => time.ToString("yyyy-MM-dd HH:mm"),
        decimal number => number.ToString("0.00"),
        double number => number.ToString("0.00"),
        _ => value.ToString()!,
    };
}
