using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb backup &lt;db&gt; &lt;file&gt;</c>: writes a consistent copy of the database's latest committed state
/// (<see cref="PageDatabase.Backup"/>); the file appears whole or not at all.
/// </summary>
/// <remarks>
/// The database is opened for writing, so the backup fails at once when another process has it open for writing: a
/// process that only reads cannot yet keep another process's checkpoints from overwriting the pages of its snapshot
/// (reader processes beside a live writer are issue 13), and a backup must never mix two states. Such a database is
/// backed up from the process that has it open, with <see cref="PageDatabase.Backup"/>.
/// </remarks>
internal static class BackupCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var file = new Argument<string>("file") { Description = "The backup file to write (replaced when it exists)" };
        var command = new Command("backup", "Copy the latest committed state into a backup file that opens as a database on its own") { db, file };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(db)!, r.GetValue(file)!)));
        return command;
    }

    private static int Execute(CliContext context, string path, string target)
    {
        var clock = Stopwatch.StartNew();
        using PageDatabase database = OpenExclusively(path);
        BackupProgressBar.Run(context.ErrIsTerminal, "backing up " + Path.GetFileName(path), bar => database.Backup(target, bar));
        double megabytes = new FileInfo(target).Length / (1024.0 * 1024.0);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"backed up {path} to {target} ({megabytes:0.0} MiB) in {clock.Elapsed.TotalSeconds:0.00} s"));
        return ExitCodes.Ok;
    }

    private static PageDatabase OpenExclusively(string path)
    {
        try
        {
            return DatabaseOpener.OpenForWriting(path);
        }
        catch (DatabaseLockedException)
        {
            throw new CliException($"'{path}' is open for writing in another process; back it up from that process (PageDatabase.Backup), or close it first");
        }
    }
}
