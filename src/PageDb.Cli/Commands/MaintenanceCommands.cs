using System.CommandLine;
using System.Globalization;

namespace PageDb.Cli.Commands;

/// <summary><c>pagedb checkpoint &lt;db&gt; [--mode]</c> and <c>pagedb compact &lt;db&gt;</c>.</summary>
internal static class MaintenanceCommands
{
    public static Command Checkpoint(CliContext context)
    {
        var db = CommonArguments.Database();
        var mode = new Option<CheckpointMode>("--mode")
        {
            Description = "Passive, Full or Truncate (Truncate also shrinks the WAL file)",
            DefaultValueFactory = _ => CheckpointMode.Truncate,
        };
        var command = new Command("checkpoint", "Copy the WAL into the database file") { db, mode };
        command.SetAction(r => context.Guard(() => ExecuteCheckpoint(context, r.GetValue(db)!, r.GetValue(mode))));
        return command;
    }

    public static Command Compact(CliContext context)
    {
        var db = CommonArguments.Database();
        var command = new Command("compact", "Rebuild every tree densely and return free pages to the file system") { db };
        command.SetAction(r => context.Guard(() => ExecuteCompact(context, r.GetValue(db)!)));
        return command;
    }

    private static int ExecuteCheckpoint(CliContext context, string path, CheckpointMode mode)
    {
        using PageDatabase database = DatabaseOpener.OpenForWriting(path);
        long before = database.GetStats().WalBytes;
        database.Checkpoint(mode);
        long after = database.GetStats().WalBytes;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checkpoint ({mode}): WAL {before:N0} -> {after:N0} bytes"));
        return ExitCodes.Ok;
    }

    private static int ExecuteCompact(CliContext context, string path)
    {
        using PageDatabase database = DatabaseOpener.OpenForWriting(path);
        long before = database.GetStats().PageCount;
        database.Compact();
        long after = database.GetStats().PageCount;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compact: {before:N0} -> {after:N0} pages"));
        return ExitCodes.Ok;
    }
}
