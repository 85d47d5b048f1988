using System.Text;
using static PageDb.CrashTests.Harness.HostileTemplates;

namespace PageDb.CrashTests.Harness;

/// <summary>
/// One salvage case on a hostile file (issue #15, "pagedb recover"): <see cref="PageDatabase.Salvage"/> may refuse
/// only with a <see cref="PageDbException"/>, never changes the damaged files, and when
/// <see cref="PageDatabase.CheckIntegrity"/> finds no problem in them, the new database holds every tree entry and
/// table row the damaged one reads, in the tree or table of the same name.
/// </summary>
internal static class SalvageCase
{
    public const string NewPath = "h/salvaged.pagedb";

    /// <summary>The outcome classes a run counts.</summary>
    public enum Outcome
    {
        /// <summary>The damaged files do not open or read (or their check throws); salvage ran or refused with a PageDbException.</summary>
        Unreadable,

        /// <summary>The damaged files read but the check flags them; salvage ran.</summary>
        Flagged,

        /// <summary>The damaged files check clean and everything they read was salvaged.</summary>
        CleanRecovered,
    }

    /// <summary>Runs the case; returns the outcome, or throws <see cref="AssertionException"/> describing a finding.</summary>
    public static Outcome Run(HostileFiles files)
    {
        (HashSet<string> Entries, bool Clean)? read = ReadDamaged(files);
        var storage = new MemoryStorage();
        storage.SetContents(DbPath, files.File);
        if (files.Wal is not null)
            storage.SetContents(WalPath, files.Wal);
        try
        {
            PageDatabase.Salvage(DbPath, NewPath, Options(storage));
        }
        catch (PageDbException) when (read is null)
        {
            // Refusing files that do not open is allowed; refusing files that do is a finding (the exception escapes).
        }
        Assert.That(storage.GetContents(DbPath), Is.EqualTo(files.File), "salvage changed the damaged database file");
        if (files.Wal is not null)
            Assert.That(storage.GetContents(WalPath), Is.EqualTo(files.Wal), "salvage changed the damaged WAL");
        if (read is null)
            return Outcome.Unreadable;
        if (!read.Value.Clean)
            return Outcome.Flagged;
        HashSet<string> salvaged = ReadAll(storage, NewPath);
        List<string> missing = [.. read.Value.Entries.Where(entry => !salvaged.Contains(entry))];
        if (missing.Count > 0)
            Assert.Fail($"the damaged files check clean, but salvage lost {missing.Count} of the {read.Value.Entries.Count} entries they read, e.g. {missing[0][..Math.Min(missing[0].Length, 160)]}");
        return Outcome.CleanRecovered;
    }

    /// <summary>
    /// What the damaged files read and whether they check clean (on a copy: opening may recover the WAL), or null
    /// when they refuse to open or read.
    /// </summary>
    private static (HashSet<string> Entries, bool Clean)? ReadDamaged(HostileFiles files)
    {
        var copy = new MemoryStorage();
        copy.SetContents(DbPath, (byte[])files.File.Clone());
        if (files.Wal is not null)
            copy.SetContents(WalPath, (byte[])files.Wal.Clone());
        try
        {
            using PageDatabase db = PageDatabase.Open(DbPath, Options(copy));
            HashSet<string> entries = Read(db);
            return (entries, db.CheckIntegrity().IsOk);
        }
        catch (PageDbException)
        {
            return null;
        }
    }

    private static HashSet<string> ReadAll(MemoryStorage storage, string path)
    {
        using PageDatabase db = PageDatabase.Open(path, Options(storage));
        return Read(db);
    }

    /// <summary>Every tree entry as "tree/key/value" and every table row as "table/row", in hexadecimal and text.</summary>
    private static HashSet<string> Read(PageDatabase db)
    {
        var entries = new HashSet<string>(StringComparer.Ordinal);
        using ReadTransaction tx = db.BeginRead();
        foreach (string name in tx.TreeNames)
        {
            using Cursor cursor = tx.GetTree(name).OpenCursor();
            for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
                entries.Add($"tree '{name}' key {Convert.ToHexString(cursor.Key)} value {Convert.ToHexString(cursor.Value)}");
        }
        foreach (string name in tx.TableNames)
        {
            foreach (Row row in tx.GetTable(name).Scan())
                entries.Add($"table '{name}' row {row}");
        }
        return entries;
    }
}
