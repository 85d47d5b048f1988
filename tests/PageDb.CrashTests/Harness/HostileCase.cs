using System.IO.Hashing;
using System.Text;
using PageDb.Testing;
using static PageDb.CrashTests.Harness.HostileTemplates;

namespace PageDb.CrashTests.Harness;

/// <summary>
/// One hostile-file case: open the changed files, read everything a user can (every tree both ways, every table and
/// index scan), check integrity, and when the file passes, make one ordinary write and check again. The allowed
/// outcomes: a <see cref="PageDbException"/> (refused), the template's data (intact, whatever the check says), or other
/// data the check accepts as consistent. Findings that fail the run: a hang, another exception type (escapes), keys out
/// of order, a file that passed the check broken by a write, or changed data read without an error from a file the
/// check flags (the reads missed what the check found). One class of flagged files is allowed and counted apart,
/// because no read depends on it (README, "Hostile files"): the check's only findings are in the free list
/// (<see cref="Outcome.ChangedFreeListRepaired"/>: its structure, a page both free and in use, pages lost from it), the
/// changed data coming from another change the check accepts. Such a file must then be repaired by
/// <see cref="PageDatabase.Compact"/> (which rebuilds the page space from the trees and never reads the free list) into
/// one that passes the check and holds exactly the data the reads returned.
/// </summary>
internal static class HostileCase
{
    /// <summary>The outcome classes a run counts.</summary>
    public enum Outcome
    {
        Refused,
        Intact,
        ChangedConsistent,
        ChangedFreeListRepaired,
    }

    private static readonly ColumnType[] PeopleTypes = [ColumnType.Int64, ColumnType.String, ColumnType.Int64];

    public static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key {i:D5}");

    /// <summary>Runs the case; returns the outcome, or throws <see cref="AssertionException"/> describing a finding.</summary>
    public static Outcome Run(HostileFiles files) => Run(files, Storage(files), DbPath);

    /// <summary>
    /// Runs the case on real files in a new directory: the writer maps the file, so read transactions take its pages in
    /// place (docs/architecture/in-place-reads.md) instead of through the pool.
    /// </summary>
    public static Outcome RunOnRealFiles(HostileFiles files)
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-hostile-").FullName;
        try
        {
            string path = Path.Combine(directory, "db.pagedb");
            File.WriteAllBytes(path, files.File);
            if (files.Wal is not null)
                File.WriteAllBytes(path + "-wal", files.Wal);
            return Run(files, FileStorage.Instance, path);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Outcome Run(HostileFiles files, IStorage storage, string path)
    {
        try
        {
            using PageDatabase db = PageDatabase.Open(path, Options(storage));
            ulong digest = Read(db);
            IntegrityReport report = db.CheckIntegrity();
            if (digest == files.Digest)
                return report.IsOk ? WriteAndCheck(db, Outcome.Intact) : Outcome.Intact;
            if (report.IsOk)
                return WriteAndCheck(db, Outcome.ChangedConsistent);
            if (!OnlyTheFreeListIsFlagged(report))
                throw new AssertionException($"every read succeeded but returned changed data, while the integrity check flags the file: {report}");
            return RepairFreeList(db, digest, report);
        }
        catch (PageDbException)
        {
            return Outcome.Refused;
        }
    }

    /// <summary>The digest of everything a reader finds in <paramref name="files"/> (the files must be sound).</summary>
    public static ulong Digest(HostileFiles files)
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(Storage(files)));
        return Read(db);
    }

    private static MemoryStorage Storage(HostileFiles files)
    {
        var storage = new MemoryStorage();
        storage.SetContents(DbPath, files.File);
        if (files.Wal is not null)
            storage.SetContents(WalPath, files.Wal);
        return storage;
    }

    /// <summary>Reads every tree forwards and backwards (checking the order) and every table and index; returns a digest.</summary>
    private static ulong Read(PageDatabase db)
    {
        var hash = new XxHash64();
        using ReadTransaction tx = db.BeginRead();
        foreach (string name in tx.TreeNames)
        {
            hash.Append(Encoding.UTF8.GetBytes(name));
            using Cursor cursor = tx.GetTree(name).OpenCursor();
            int forward = Walk(cursor, hash, name, forward: true);
            int backward = Walk(cursor, null, name, forward: false);
            Assert.That(backward, Is.EqualTo(forward), $"tree '{name}' has {forward} entries forwards and {backward} backwards");
        }
        foreach (string name in tx.TableNames)
        {
            Table table = tx.GetTable(name);
            hash.Append(Encoding.UTF8.GetBytes(name));
            foreach (Row row in table.Scan())
                hash.Append(Encoding.UTF8.GetBytes(row.ToString()));
            foreach (string index in table.IndexNames)
            {
                foreach (Row row in table.IndexScan(index, null, null))
                    hash.Append(Encoding.UTF8.GetBytes(row.ToString()));
            }
        }
        return hash.GetCurrentHashAsUInt64();
    }

    private static int Walk(Cursor cursor, XxHash64? hash, string tree, bool forward)
    {
        byte[]? previous = null;
        int count = 0;
        for (bool more = forward ? cursor.SeekFirst() : cursor.SeekLast(); more; more = forward ? cursor.Next() : cursor.Previous())
        {
            byte[] key = cursor.Key.ToArray();
            if (previous is not null && ByteArrayComparer.Instance.Compare(previous, key) * (forward ? 1 : -1) >= 0)
                Assert.Fail($"a scan of tree '{tree}' returned keys out of order ({(forward ? "forwards" : "backwards")})");
            previous = key;
            count++;
            if (hash is not null)
            {
                hash.Append(BitConverter.GetBytes(key.Length));
                hash.Append(key);
                hash.Append(cursor.Value);
            }
        }
        return count;
    }

    /// <summary>
    /// True when every problem names the free list ("the free list cannot be read", "reached twice: by the free list and
    /// by ...") or is about a page also reported lost (a page dropped from a damaged free list, whose old bytes the check
    /// then read).
    /// </summary>
    private static bool OnlyTheFreeListIsFlagged(IntegrityReport report)
    {
        var lost = report.Problems.Where(p => p.Message.StartsWith("the page is lost", StringComparison.Ordinal)).Select(p => p.PageNumber).ToHashSet();
        return report.Problems.All(p => p.Message.Contains("the free list", StringComparison.Ordinal) || lost.Contains(p.PageNumber));
    }

    /// <summary>Compacts a file whose only damage is its free list: the result must pass the check and hold what the reads returned.</summary>
    private static Outcome RepairFreeList(PageDatabase db, ulong digest, IntegrityReport report)
    {
        try
        {
            db.Compact();
        }
        catch (PageDbException e)
        {
            Assert.Fail($"compacting a file whose only damage is its free list failed ({e.Message}); the check said: {report}");
        }
        IntegrityReport after = db.CheckIntegrity();
        if (!after.IsOk)
            Assert.Fail($"compacting a file whose only damage is its free list left it flagged: {after}; before: {report}");
        if (Read(db) != digest)
            Assert.Fail($"compacting a file whose only damage is its free list changed its data; the check said: {report}");
        return Outcome.ChangedFreeListRepaired;
    }

    /// <summary>True when a changed catalog still gives "people" the template's columns and key (the write below uses them).</summary>
    private static bool IsPeople(TableSchema schema) =>
        schema.Columns.Select(c => c.Type).SequenceEqual(PeopleTypes) && schema.PrimaryKey.SequenceEqual(["id"]);

    /// <summary>One ordinary write on a file that passed the check: after it, the check must still pass.</summary>
    private static Outcome WriteAndCheck(PageDatabase db, Outcome outcome)
    {
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree tree = tx.GetOrCreateTree("t");
            for (int i = 0; i < 30; i++)
                tree.Put(Key(1000 + i), new byte[60 + i]);
            for (int i = 0; i < 160; i += 9)
                tree.Delete(Key(i));
            tx.GetOrCreateTree("big").Put(Key(1), new byte[7000]);
            if (tx.TryGetTable("people", out Table? people) && IsPeople(people.Schema))
            {
                for (long id = 100; id < 105; id++)
                    people.Upsert(Row.Of(id, "added", id));
                people.Delete(Row.Of(5L));
            }
            tx.Commit();
        }
        IntegrityReport after = db.CheckIntegrity();
        if (!after.IsOk)
            Assert.Fail($"the file passed the integrity check, then one ordinary write broke it: {after}");
        return outcome;
    }
}
