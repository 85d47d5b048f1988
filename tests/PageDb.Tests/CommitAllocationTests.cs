using System.Buffers.Binary;

namespace PageDb.Tests;

/// <summary>
/// A warm one-row commit (begin, put or insert, commit at <see cref="Durability.Normal"/> on a real file) allocates
/// little: measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> over many commits after a warm-up, so what
/// the background checkpointer allocates on its own thread is not counted. The checkpoint threshold is set far above
/// what the test writes, so no log switch (the writer's part of a checkpoint) falls in the measured window.
/// Issue #12 targets at most 1 KB per commit, which both paths meet.
/// </summary>
public class CommitAllocationTests
{
    private const int Commits = 200;

    // Issue #12's target. Measured: key-value 414, tables 719 bytes per commit (920 and 1,621 before a table's write
    // probed the catalog for its indexes instead of listing them and the engine pooled the transaction's page set;
    // 9,433 and 10,032 before the buffer pool stopped keeping superseded versions).
    private const long KeyValueBound = 1_024;
    private const long TableBound = 1_024;

    // W7's row (an Int64 key, a 20-character name, a double, a 100-character payload: a 140-byte record) measured 572
    // bytes per commit here (424 in a probe past tiered compilation) once a write transaction lent its table its
    // cycle's encoding buffers (TableEncodingBuffers); 1,208 in the probe before: a new table's record buffer grew
    // from 64 to 256 bytes at every commit.
    private const long BenchRowTableBound = 800;

    private static readonly TableSchema Items = new("items",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String), new Column("value", ColumnType.Double)],
        primaryKey: ["id"]);

    private string _directory = "";

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "pagedb-commit-alloc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void A_warm_one_row_key_value_commit_allocates_little()
    {
        using PageDatabase db = OpenNew();
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.CreateTree("kv");
            tx.Commit();
        }
        byte[] key = new byte[8];
        byte[] value = new byte[100];

        long perCommit = MeasurePerCommit(i =>
        {
            using WriteTransaction tx = db.BeginWrite();
            BinaryPrimitives.WriteInt64BigEndian(key, i);
            tx.GetTree("kv").Put(key, value);
            tx.Commit();
        });

        TestContext.Out.WriteLine($"key-value: {perCommit} bytes per one-row commit (target: 1,024)");
        Assert.That(perCommit, Is.LessThanOrEqualTo(KeyValueBound));
    }

    [Test]
    public void A_warm_one_row_table_commit_allocates_little()
    {
        long perCommit = MeasureTableCommits(Items, i => Row.Of((long)i, "item " + i, i / 4.0));

        TestContext.Out.WriteLine($"tables: {perCommit} bytes per one-row commit (target: 1,024)");
        Assert.That(perCommit, Is.LessThanOrEqualTo(TableBound));
    }

    [Test]
    public void A_warm_one_row_table_commit_of_a_bench_sized_row_allocates_less_than_its_encoding_buffers_would()
    {
        var schema = new TableSchema("rows",
            [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String),
             new Column("value", ColumnType.Double), new Column("payload", ColumnType.String)],
            primaryKey: ["id"]);

        long perCommit = MeasureTableCommits(schema, i => Row.Of((long)i, "user_" + new string('n', 15), i / 1024.0, new string('p', 100)));

        TestContext.Out.WriteLine($"tables, W7's row: {perCommit} bytes per one-row commit (bound: {BenchRowTableBound})");
        Assert.That(perCommit, Is.LessThanOrEqualTo(BenchRowTableBound));
    }

    [Test]
    public void Two_tables_written_in_one_transaction_encode_into_buffers_of_their_own()
    {
        var schema = new TableSchema("other", [new Column("id", ColumnType.Int64), new Column("text", ColumnType.String)], primaryKey: ["id"]);
        using PageDatabase db = OpenNew();
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.CreateTable(Items);
            tx.CreateTable(schema);
            tx.Commit();
        }
        for (int i = 0; i < 3; i++)
        {
            using WriteTransaction tx = db.BeginWrite();
            Table items = tx.GetTable("items");
            Table other = tx.GetTable("other");
            Table itemsAgain = tx.GetTable("items");
            items.Insert(Row.Of((long)i, "item " + i, 1.5));
            other.Insert(Row.Of((long)i, new string('x', 300 + i)));
            itemsAgain.Upsert(Row.Of((long)i, "item again " + i, 2.5));
            Assert.That(items.Get(Row.Of((long)i))!.GetString(1), Is.EqualTo("item again " + i));
            Assert.That(other.Get(Row.Of((long)i))!.GetString(1), Has.Length.EqualTo(300 + i));
            tx.Commit();
            Assert.Throws<InvalidOperationException>(() => items.Insert(Row.Of(100L + i, "stale", 0.0)), "a table of an ended transaction");
        }
        using ReadTransaction read = db.BeginRead();
        Assert.That(read.GetTable("items").Count, Is.EqualTo(3));
        Assert.That(read.GetTable("other").Count, Is.EqualTo(3));
    }

    /// <summary>
    /// The bytes a one-row commit into a new table of <paramref name="schema"/> allocates (<see cref="MeasurePerCommit"/>);
    /// <paramref name="row"/> makes row i, all of them before the measurement.
    /// </summary>
    private long MeasureTableCommits(TableSchema schema, Func<int, Row> row)
    {
        using PageDatabase db = OpenNew();
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.CreateTable(schema);
            tx.Commit();
        }
        Row[] rows = [.. Enumerable.Range(0, 2 * Commits).Select(row)];
        return MeasurePerCommit(i =>
        {
            using WriteTransaction tx = db.BeginWrite();
            tx.GetTable(schema.Name).Insert(rows[i]);
            tx.Commit();
        });
    }

    private PageDatabase OpenNew() => PageDatabase.Open(Path.Combine(_directory, "commits.pagedb"), new PageDbOptions
    {
        Durability = Durability.Normal,
        CheckpointThresholdBytes = 256L << 20,
    });

    /// <summary>
    /// The bytes one call of <paramref name="commit"/> allocates on this thread, averaged over <see cref="Commits"/>
    /// calls after as many to warm up (call i writes row i, so every commit adds a new row).
    /// </summary>
    private static long MeasurePerCommit(Action<int> commit)
    {
        for (int i = 0; i < Commits; i++)
            commit(i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = Commits; i < 2 * Commits; i++)
            commit(i);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / Commits;
    }
}
