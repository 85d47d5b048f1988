using System.CommandLine;

namespace PageDb.Cli.Commands;

/// <summary>The arguments most commands share.</summary>
internal static class CommonArguments
{
    /// <summary>The database file.</summary>
    public static Argument<string> Database() => new("db") { Description = "The database file" };

    /// <summary>A table of the database.</summary>
    public static Argument<string> Table() => new("table") { Description = "The table's name" };
}
