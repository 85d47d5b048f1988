using System.CommandLine;
using PageDb.Cli.DataFiles;

namespace PageDb.Cli.Commands;

/// <summary>The arguments <c>import</c> and <c>export</c> share.</summary>
internal static class DataFileArguments
{
    /// <summary>The data file.</summary>
    public static Argument<string> File(string description) => new("file") { Description = description };

    /// <summary><c>--format csv|jsonl</c>; without it the file's extension decides.</summary>
    public static Option<string> Format()
    {
        var format = new Option<string>("--format")
        {
            Description = "csv or jsonl (JSON Lines); by default the file's extension decides: .csv, .jsonl or .ndjson",
        };
        format.AcceptOnlyFromAmong(DataFormats.Names);
        return format;
    }
}
