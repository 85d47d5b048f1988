using System.CommandLine;
using System.Globalization;
using PageDb.Engine.Sharing;

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
        var backup = new Argument<string>("backup") { Description = "A backup file written by pagedb backup (or PageDatabase.Backup)" };
        var db = CommonArguments.Database();
        var force = new Option<bool>("--force") { Description = "Replace an existing database at <db> (and delete its WAL)" };
        var command = new Command("restore", "Check a backup file and make it the database at <db>") { backup, db, force };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(backup)!, r.GetValue(db)!, r.GetValue(force))));
        return command;
    }

    private static int Execute(CliContext context, string backup, string path, bool force)
    {
        if (!File.Exists(backup))
            throw new CliException("backup file not found: " + backup);
        string wal = path + "-wal";
        if (!force && (File.Exists(path) || File.Exists(wal)))
            throw new CliException($"'{path}' exists; pass --force to replace it with the backup");
        string fullPath = Path.GetFullPath(path);
        string temporary = $"{fullPath}.{Guid.NewGuid():N}.restore";
        try
        {
            CopyAndSync(backup, temporary);
            long pages = CheckIntegrity(temporary, backup);
            using ProcessSharing? writerLock = File.Exists(path) ? TakeWriterLock(path) : null;
            using IStorageFile? replaced = File.Exists(path) ? LockForReplacing(path) : null;
            File.Delete(wal);
            File.Move(temporary, fullPath, overwrite: true);
            FileStorage.Instance.SyncDirectory(fullPath);
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

    /// <summary>Takes the writer lock of the database being replaced, held until it is replaced.</summary>
    /// <summary>The writer lock every process sees (in the -shm file), held while the database is replaced.</summary>
    private static ProcessSharing TakeWriterLock(string path)
    {
        try
        {
            return ProcessSharing.Join(FileStorage.Instance, path, new PageDbOptions { CreateIfMissing = false });
        }
        catch (DatabaseLockedException)
        {
            throw new CliException($"'{path}' is open for writing in another process; close it before restoring over it");
        }
    }

    private static IStorageFile LockForReplacing(string path)
    {
        IStorageFile file = FileStorage.Instance.Open(path, StorageOpenMode.ReadWrite);
        if (file.TryLockExclusive())
            return file;
        file.Dispose();
        throw new CliException($"'{path}' is open for writing in another process; close it before restoring over it");
    }
}
