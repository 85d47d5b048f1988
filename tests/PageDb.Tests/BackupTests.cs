using System.Collections.Immutable;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// <see cref="PageDatabase.Backup"/> and <see cref="PageDatabase.BackupAsync(Stream, IProgress{BackupProgress}?, CancellationToken)"/>: a backup is a database file that opens
/// on its own, checks clean and holds exactly the state of one commit, while writers go on; a failing target leaves
/// nothing behind at the path.
/// </summary>
public sealed class BackupTests
{
    private const string TreeName = "t";
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "pagedb-backup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void A_backup_of_an_empty_database_opens_and_checks_clean()
    {
        string backup = FileIn("empty-backup.pagedb");
        var reports = new List<BackupProgress>();
        using (PageDatabase db = PageDatabase.Open(FileIn("empty.pagedb")))
            db.Backup(backup, new InlineProgress(reports.Add));

        Assert.That(File.Exists(backup + "-wal"), Is.False, "a backup is one file");
        using PageDatabase copy = PageDatabase.Open(backup);
        Assert.That(copy.CheckIntegrity().IsOk, Is.True);
        using ReadTransaction tx = copy.BeginRead();
        Assert.That(tx.TreeNames, Is.Empty);
        Assert.That(tx.TableNames, Is.Empty);
        Assert.That(reports[^1], Is.EqualTo(new BackupProgress(copy.GetStats().PageCount, copy.GetStats().PageCount)));
    }

    [Test]
    public void A_backup_holds_the_state_it_began_with_while_commits_land_during_the_copy()
    {
        using PageDatabase db = PageDatabase.Open(FileIn("live.pagedb"), new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Durability = Durability.Normal });
        ImmutableSortedDictionary<string, string> before = Load(db, keys: 3000);
        int commitsDuringCopy = 0;
        // The progress callback runs on the backup's own thread: if the backup held the write lock, this commit would
        // wait for it until the write-lock timeout and throw.
        var progress = new InlineProgress(p =>
        {
            if (p.PagesCopied > 0 && p.PagesCopied < p.PageCount)
            {
                Put(db, TreeName, ("during-" + commitsDuringCopy, "x"));
                commitsDuringCopy++;
            }
        });

        string backup = FileIn("live-backup.pagedb");
        db.Backup(backup, progress);

        Assert.That(commitsDuringCopy, Is.GreaterThan(1), "the database must span several batches");
        using PageDatabase copy = PageDatabase.Open(backup);
        Assert.That(copy.CheckIntegrity().IsOk, Is.True);
        Assert.That(ReadAll(copy), Is.EqualTo(before));
    }

    [Test]
    public void Backups_under_a_concurrent_writer_each_equal_the_model_at_some_commit()
    {
        int seed = TestSeed.Next();
        var options = new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Durability = Durability.Normal, CheckpointThresholdBytes = 128 << 10 };
        using PageDatabase db = PageDatabase.Open(FileIn("busy.pagedb"), options);
        var model = new List<ImmutableSortedDictionary<string, string>> { Load(db, keys: 2000) };
        int committed = 0;
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(() => WriteUntilStopped(db, new Random(seed), model, ref committed, stop.Token));

        var backups = new List<(string Path, int From, int To)>();
        for (int i = 0; Volatile.Read(ref committed) < 400 && i < 100; i++)
        {
            string path = FileIn($"busy-backup-{i}.pagedb");
            int from = Volatile.Read(ref committed);
            if (i % 2 == 0)
            {
                db.Backup(path);
            }
            else
            {
                using var stream = new FileStream(path, FileMode.CreateNew);
                db.BackupAsync(stream).GetAwaiter().GetResult();
            }
            backups.Add((path, from, Volatile.Read(ref committed) + 1));
        }
        stop.Cancel();
        writer.GetAwaiter().GetResult();

        foreach ((string path, int from, int to) in backups)
        {
            using PageDatabase copy = PageDatabase.Open(path);
            Assert.That(copy.CheckIntegrity().IsOk, Is.True, $"{path}: {TestSeed.Describe(seed)}");
            ImmutableSortedDictionary<string, string> state = ReadAll(copy);
            int match = Enumerable.Range(from, Math.Min(to, model.Count - 1) - from + 1)
                .FirstOrDefault(c => SameContents(model[c], state), -1);
            Assert.That(match, Is.Not.EqualTo(-1),
                $"{path} equals no commit from {from} to {to} ({state.Count} keys); {TestSeed.Describe(seed)}");
        }
        int overlapped = backups.Count(b => b.To - b.From > 1);
        TestContext.Out.WriteLine($"{model.Count - 1} commits during {backups.Count} backups, {overlapped} of them with commits during the copy");
    }

    [Test]
    public void An_in_memory_database_backs_up_to_a_file()
    {
        string backup = FileIn("from-memory.pagedb");
        using (PageDatabase db = PageDatabase.OpenInMemory())
        {
            ImmutableSortedDictionary<string, string> model = Load(db, keys: 300);
            db.Backup(backup);
            using PageDatabase copy = PageDatabase.Open(backup);
            Assert.That(ReadAll(copy), Is.EqualTo(model));
        }
    }

    [Test]
    public void A_failed_rename_leaves_the_target_as_it_was_and_no_temporary_file()
    {
        using PageDatabase db = PageDatabase.Open(FileIn("source.pagedb"));
        Load(db, keys: 500);
        string target = FileIn("occupied");
        Directory.CreateDirectory(target);

        var error = Assert.Throws<PageDbIOException>(() => db.Backup(target));

        Assert.That(error!.Message, Does.Contain("backup failed on '" + target + "'"));
        Assert.That(Directory.Exists(target), Is.True);
        Assert.That(Directory.GetFiles(_directory, "*.backup"), Is.Empty);
    }

    [Test]
    public void A_backup_into_a_missing_directory_fails_clearly()
    {
        using PageDatabase db = PageDatabase.Open(FileIn("source.pagedb"));
        string target = Path.Combine(_directory, "no-such-folder", "b.pagedb");

        var error = Assert.Throws<PageDbIOException>(() => db.Backup(target));

        Assert.That(error!.FilePath, Is.EqualTo(target));
        Assert.That(Directory.Exists(Path.GetDirectoryName(target)), Is.False);
    }

    [Test]
    public void A_corrupt_page_stops_the_backup_and_keeps_the_previous_backup_whole()
    {
        string source = FileIn("damaged.pagedb");
        using (PageDatabase db = PageDatabase.Open(source))
            Load(db, keys: 2000);
        string target = FileIn("kept.pagedb");
        File.WriteAllText(target, "the previous backup");
        FlipByteOfPage(source, page: 50);

        using (PageDatabase db = PageDatabase.Open(source))
            Assert.Throws<CorruptDatabaseException>(() => db.Backup(target));

        Assert.That(File.ReadAllText(target), Is.EqualTo("the previous backup"));
        Assert.That(Directory.GetFiles(_directory, "*.backup"), Is.Empty);
    }

    [Test]
    public void A_failing_stream_surfaces_its_error_and_releases_the_snapshot()
    {
        using PageDatabase db = PageDatabase.Open(FileIn("source.pagedb"));
        Load(db, keys: 2000);
        using var target = new FailingStream(failAfterBytes: 300_000);

        Assert.ThrowsAsync<IOException>(() => db.BackupAsync(target));

        Put(db, TreeName, ("after", "1"));
        db.Checkpoint(CheckpointMode.Full); // waits for older readers: times out if the backup's snapshot stayed open
        Assert.That(db.GetStats().WalFrames, Is.Zero);
    }

    /// <summary>The call the issue names, <c>BackupAsync(stream, cancellationToken)</c>: the bytes <see cref="PageDatabase.Backup"/> writes, and the token honoured.</summary>
    [Test]
    public async Task BackupAsync_with_a_token_alone_writes_what_backup_writes_and_honours_the_token()
    {
        using PageDatabase db = PageDatabase.Open(FileIn("source.pagedb"));
        Load(db, keys: 2000);
        string file = FileIn("file.backup");
        db.Backup(file);
        using var stream = new MemoryStream();

        await db.BackupAsync(stream, CancellationToken.None);

        Assert.That(stream.ToArray(), Is.EqualTo(File.ReadAllBytes(file)));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => db.BackupAsync(new MemoryStream(), cancelled.Token));
    }

    [Test]
    public void A_cancelled_backup_stops_between_batches()
    {
        using PageDatabase db = PageDatabase.Open(FileIn("source.pagedb"));
        Load(db, keys: 2000);
        using var cancel = new CancellationTokenSource();
        using var target = new MemoryStream();
        var progress = new InlineProgress(p =>
        {
            if (p.PagesCopied > 0)
                cancel.Cancel();
        });

        Assert.CatchAsync<OperationCanceledException>(() => db.BackupAsync(target, progress, cancel.Token));
        Assert.That(target.Length, Is.LessThan(db.GetStats().PageCount * 4096L));
    }

    [Test]
    public void A_backup_refuses_a_path_that_has_a_wal_beside_it()
    {
        using PageDatabase db = PageDatabase.Open(FileIn("source.pagedb"));
        string target = FileIn("in-use.pagedb");
        File.WriteAllText(target + "-wal", "");

        var error = Assert.Throws<PageDbException>(() => db.Backup(target));
        Assert.That(error!.Message, Does.Contain("WAL"));
        Assert.That(File.Exists(target), Is.False);
    }

    private string FileIn(string name) => Path.Combine(_directory, name);

    /// <summary>Puts <paramref name="keys"/> keys in one commit and returns the model of the result.</summary>
    private static ImmutableSortedDictionary<string, string> Load(PageDatabase db, int keys)
    {
        var model = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        using WriteTransaction tx = db.BeginWrite();
        Tree tree = tx.GetOrCreateTree(TreeName);
        for (int i = 0; i < keys; i++)
        {
            string key = $"key-{i:D6}", value = new string((char)('a' + (i % 26)), 100 + (i % 200));
            tree.Put(Bytes(key), Bytes(value));
            model[key] = value;
        }
        tx.Commit();
        return model.ToImmutable();
    }

    /// <summary>Commits small random changes, appending the model after each commit, until <paramref name="stop"/>.</summary>
    private static void WriteUntilStopped(PageDatabase db, Random random, List<ImmutableSortedDictionary<string, string>> model,
        ref int committed, CancellationToken stop)
    {
        ImmutableSortedDictionary<string, string> state = model[0];
        while (!stop.IsCancellationRequested)
        {
            using (WriteTransaction tx = db.BeginWrite())
            {
                Tree tree = tx.GetTree(TreeName);
                for (int op = random.Next(1, 6); op > 0; op--)
                {
                    string key = $"key-{random.Next(3000):D6}";
                    if (random.Next(4) == 0)
                    {
                        tree.Delete(Bytes(key));
                        state = state.Remove(key);
                    }
                    else
                    {
                        string value = new((char)('a' + random.Next(26)), random.Next(1, 400));
                        tree.Put(Bytes(key), Bytes(value));
                        state = state.SetItem(key, value);
                    }
                }
                tx.Commit();
            }
            model.Add(state);
            Interlocked.Increment(ref committed);
        }
    }

    private static ImmutableSortedDictionary<string, string> ReadAll(PageDatabase db)
    {
        var state = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        using ReadTransaction tx = db.BeginRead();
        foreach ((byte[] key, byte[] value) in tx.GetTree(TreeName).Range(null, null))
            state[Text(key)] = Text(value);
        return state.ToImmutable();
    }

    private static bool SameContents(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b) =>
        a.Count == b.Count && a.SequenceEqual(b);

    private static void FlipByteOfPage(string path, int page)
    {
        using FileStream file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = (page * 4096L) + 2000;
        int b = file.ReadByte();
        file.Position--;
        file.WriteByte((byte)(b ^ 0x5a));
    }

    /// <summary>Reports on the caller's thread at once (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class InlineProgress(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }

    /// <summary>A target that accepts <c>failAfterBytes</c> bytes and then fails every write, as a full disk does.</summary>
    private sealed class FailingStream(long failAfterBytes) : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Length + buffer.Length > failAfterBytes)
                throw new IOException("No space left on device");
            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
