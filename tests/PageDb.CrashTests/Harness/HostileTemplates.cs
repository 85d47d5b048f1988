using PageDb.Testing;

namespace PageDb.CrashTests.Harness;

/// <summary>
/// The small databases the hostile-file fuzzer starts from, built once per test run with a fixed seed: B+trees of two
/// levels with freeblocks, overflow values, a table with a secondary index, free pages (a dropped tree), and either
/// everything checkpointed into the file or the last commits still in the WAL (frames stored as whole pages, so a
/// mutation can change a frame's page in place).
/// </summary>
internal static class HostileTemplates
{
    public const int PageSize = 4096;
    public const string DbPath = "h/db.pagedb";
    public const string WalPath = DbPath + "-wal";

    private static readonly Lazy<IReadOnlyList<HostileFiles>> s_all = new(Build);

    /// <summary>The templates: [0] everything in the database file, [1] the last commits still in the WAL.</summary>
    public static IReadOnlyList<HostileFiles> All => s_all.Value;

    public static PageDbOptions Options(IStorage storage) => new()
    {
        Storage = storage,
        CacheSizeBytes = 256 * 1024,
        CheckpointThresholdBytes = 1L << 30,
        WriteLockTimeout = TimeSpan.FromSeconds(5),
    };

    private static List<HostileFiles> Build()
    {
        var storage = new MemoryStorage();
        HostileFiles inWal;
        using (PageDatabase db = PageDatabase.Open(DbPath, Options(storage)))
        {
            FillFirstPart(db);
            db.Checkpoint(CheckpointMode.Truncate);
            FillSecondPart(db);
            inWal = new HostileFiles(storage.GetContents(DbPath), WalSurgery.ExpandFrames(storage.GetContents(WalPath), PageSize));
        }
        var inFile = new HostileFiles(storage.GetContents(DbPath), storage.GetContents(WalPath));
        return [inFile with { Digest = HostileCase.Digest(inFile) }, inWal with { Digest = HostileCase.Digest(inWal) }];
    }

    private static void FillFirstPart(PageDatabase db)
    {
        var random = new Random(15);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree tree = tx.CreateTree("t");
            for (int i = 0; i < 160; i++)
                tree.Put(HostileCase.Key(i), Bytes(random, 20 + random.Next(30)));
            Tree big = tx.CreateTree("big");
            for (int i = 0; i < 3; i++)
                big.Put(HostileCase.Key(i), Bytes(random, 5000 + (3000 * i)));
            Table people = tx.CreateTable(new TableSchema("people",
                [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String), new Column("age", ColumnType.Int64, Nullable: true)],
                primaryKey: ["id"]));
            people.CreateIndex("by_name", ["name"]);
            for (long id = 0; id < 60; id++)
                people.Insert(Row.Of(id, $"name {random.Next(40)}", id % 7 == 0 ? null : (object)(id * 3)));
            Tree doomed = tx.CreateTree("doomed");
            for (int i = 0; i < 60; i++)
                doomed.Put(HostileCase.Key(i), new byte[200]);
            tx.Commit();
        }
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.DropTree("doomed"); // its pages fill the free list
            Tree tree = tx.GetTree("t");
            for (int i = 1; i < 160; i += 4)
                tree.Delete(HostileCase.Key(i)); // freeblocks in the leaves
            tx.Commit();
        }
    }

    private static void FillSecondPart(PageDatabase db)
    {
        var random = new Random(16);
        for (int commit = 0; commit < 3; commit++)
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree tree = tx.GetTree("t");
            for (int i = 0; i < 10; i++)
                tree.Put(HostileCase.Key(200 + (commit * 10) + i), Bytes(random, 30));
            tx.GetTable("people").Upsert(Row.Of((long)commit, "changed", 1L));
            tx.GetTree("big").Put(HostileCase.Key(10 + commit), Bytes(random, 6000));
            tx.Commit();
        }
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>A database file and its WAL (null: none), and the digest of what a reader finds in them.</summary>
internal sealed record HostileFiles(byte[] File, byte[]? Wal, ulong Digest = 0)
{
    /// <summary>A copy to change.</summary>
    public HostileFiles Copy() => new((byte[])File.Clone(), (byte[]?)Wal?.Clone(), Digest);
}
