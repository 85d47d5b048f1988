using System.CommandLine;
using System.Globalization;
using PageDb.Replication;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb restore &lt;backup&gt; &lt;db&gt; [--force]</c>: makes a backup file the database at a path. The backup
/// is checked before anything at the target changes, and an existing database is replaced only with --force.
/// </summary>
/// <remarks>
/// The order, so that a failure leaves the target as it was until the last step: 1. the backup is copied to a temporary
/// file beside the target and synced; 2. the copy is opened read-only and its integrity checked (every page, tree and
/// the free list); 3. with --force, the target's writer lock is taken (and held to the end), so a database in use is never replaced; 4. the
/// target's WAL is deleted: a WAL left beside the restored file with the same database id would be replayed into it;
/// 5. the copy is renamed over the target and the directory synced. A failure in 1-3 deletes the temporary file.
/// </remarks>
internal static class RestoreCommand
{
    public static Command Create(CliContext context)
    {
        var backup = new Argument<string>("backup") { Description = "A backup file written by pagedb backup (or PageDatabase.Backup), or a replica: s3://bucket/prefix or file:///folder" };
        var db = CommonArguments.Database();
        var force = new Option<bool>("--force") { Description = "Replace an existing database at <db> (and delete its WAL)" };
        var at = new Option<DateTimeOffset?>("--at") { Description = "From a replica: the state as it was shipped at this time (e.g. 2026-12-06T17:00:00Z)" };
        var command = new Command("restore", "Check a backup file (or restore a replica) and make it the database at <db>") { backup, db, force, at };
        command.SetAction(r => context.Guard(() => ReplicaStores.IsReplicaUrl(r.GetValue(backup)!)
            ? ExecuteFromReplica(context, r.GetValue(backup)!, r.GetValue(db)!, r.GetValue(force), r.GetValue(at))
            : Execute(context, r.GetValue(backup)!, r.GetValue(db)!, r.GetValue(force))));
        return command;
    }

    /// <summary>Restores a replica into a new file beside the target (checked by the restore), then makes it the target as a backup is.</summary>
    private static int ExecuteFromReplica(CliContext context, string url, string path, bool force, DateTimeOffset? at)
    {
        TargetReplacement.RefuseExisting(path, force, "the restored replica");
        string temporary = $"{Path.GetFullPath(path)}.{Guid.NewGuid():N}.restore";
        IReplicaStore store = ReplicaStores.Open(url);
        try
        {
            RestoreResult result = PageDatabase.Restore(store, temporary, at is { } time ? RestoreTarget.AtTime(time) : RestoreTarget.Latest);
            TargetReplacement.MoveInto(temporary, path);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"restored {url} to {path}: generation {result.Generation}, {result.Segments} segments, {result.Commits} commits, shipped at {result.ShippedAt:yyyy-MM-dd HH:mm:ss.fff} UTC"));
            if (result.StoppedEarly is { } why)
                context.Out.WriteLine("stopped early: " + why);
            return ExitCodes.Ok;
        }
        catch (ReplicaStoreException e)
        {
            throw new CliException(e.Message);
        }
        finally
        {
            File.Delete(temporary);
            (store as IDisposable)?.Dispose();
        }
    }

    private static int Execute(CliContext context, string backup, string path, bool force)
    {
        if (!File.Exists(backup))
            throw new CliException("backup file not found: " + backup);
        TargetReplacement.RefuseExisting(path, force, "the backup");
        string temporary = $"{Path.GetFullPath(path)}.{Guid.NewGuid():N}.restore";
        try
        {
            CopyAndSync(backup, temporary);
            long pages = CheckIntegrity(temporary, backup);
            TargetReplacement.MoveInto(temporary, path);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"restored {backup} to {path}: {pages:N0} pages checked, 0 problems"));
            return ExitCodes.Ok;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void CopyAndSync(string source, string destination)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read);
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
        input.CopyTo(output);
        output.Flush(flushToDisk: true);
    }

    /// <summary>Checks the copy read-only (so no WAL is created beside it); returns the pages checked.</summary>
    private static long CheckIntegrity(string copy, string backup)
    {
        IntegrityReport report;
        try
        {
            using PageDatabase database = PageDatabase.Open(copy, new PageDbOptions { ReadOnly = true, CreateIfMissing = false });
            report = database.CheckIntegrity();
        }
        catch (PageDbException e)
        {
            throw new CliException($"the backup '{backup}' is not a sound database, nothing was restored: {ErrorText.Describe(e).Replace(copy, backup, StringComparison.Ordinal)}");
        }
        if (!report.IsOk)
            throw new CliException($"the backup '{backup}' fails its integrity check ({report.Problems.Count} problems, first: {report.Problems[0].ToString().Replace(copy, backup, StringComparison.Ordinal)}); nothing was restored");
        return report.PagesChecked;
    }
}
