using PageDb.Engine;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Write transactions take a table's root, definition and indexes from <see cref="WriterCatalogCache"/> while they have
/// not changed the catalog: a warm one-row commit through a table reads the catalog no more, and a table written
/// through the cache keeps every index in step whatever CREATE INDEX, DROP INDEX, DROP TABLE or rollback came before.
/// </summary>
public class WriterCatalogCacheTests
{
    private static readonly string[] TableNames = ["t0", "t1", "t2"];

    private static TableSchema Schema(string name) => new(name,
        [new Column("id", ColumnType.Int64), new Column("a", ColumnType.Int64), new Column("b", ColumnType.String)],
        primaryKey: ["id"]);

    [Test]
    public void A_warm_one_row_commit_through_a_table_reads_no_catalog()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.Normal);
        Commit(db, tx => tx.CreateTable(Schema("t0")).CreateIndex("by_a", ["a"]));
        Commit(db, tx => tx.GetTable("t0").Insert(Row.Of(0L, 0L, "warm")));
        long before = db.Engine.WriterCatalog.CatalogReads;

        for (long id = 1; id <= 10; id++)
            Commit(db, tx => tx.GetTable("t0").Insert(Row.Of(id, id, "row")));

        Assert.That(db.Engine.WriterCatalog.CatalogReads, Is.EqualTo(before));
        using ReadTransaction reader = db.BeginRead();
        Assert.That(reader.GetTable("t0").IndexScan("by_a", Row.Of(5L), Row.Of(5L)).Select(r => r.GetString(2)), Is.EqualTo(new[] { "row" }));
    }

    [Test]
    public void A_catalog_change_committed_by_another_transaction_makes_the_next_writer_read_the_catalog_again()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.Normal);
        Commit(db, tx => tx.CreateTable(Schema("t0")));
        Commit(db, tx => tx.GetTable("t0").Insert(Row.Of(0L, 0L, "warm")));
        Commit(db, tx => tx.GetTable("t0").CreateIndex("by_a", ["a"]));
        long before = db.Engine.WriterCatalog.CatalogReads;

        Commit(db, tx => tx.GetTable("t0").Insert(Row.Of(1L, 1L, "after")));

        Assert.That(db.Engine.WriterCatalog.CatalogReads, Is.GreaterThan(before));
        using ReadTransaction reader = db.BeginRead();
        Assert.That(reader.GetTable("t0").IndexScan("by_a", Row.Of(1L), Row.Of(1L)).Select(r => r.GetString(2)), Is.EqualTo(new[] { "after" }));
    }

    /// <summary>
    /// One-row commits through tables the cache knows, mixed with CREATE INDEX, DROP INDEX, DROP TABLE and CREATE TABLE
    /// committed or rolled back in other transactions (and some in the writing transaction itself): every writer sees
    /// the committed indexes, rows match a model, and the integrity check finds every index in step with its table.
    /// </summary>
    [Test]
    public void Tables_written_through_the_cache_keep_their_indexes_in_step_with_random_schema_changes()
    {
        int seed = TestSeed.Next();
        var rng = new Random(seed);
        int steps = TestSeed.LongRun ? 20_000 : 2_000;
        var model = new Dictionary<string, (Dictionary<long, long> Rows, SortedSet<string> Indexes)>(StringComparer.Ordinal);
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        long nextId = 0;
        for (int step = 0; step < steps; step++)
        {
            string context = $"step {step}; {TestSeed.Describe(seed)}";
            string name = TableNames[rng.Next(TableNames.Length)];
            bool commit = rng.Next(4) != 0;
            int action = rng.Next(100);
            using WriteTransaction tx = db.BeginWrite();
            if (!model.TryGetValue(name, out var expected))
            {
                tx.CreateTable(Schema(name));
                if (commit)
                    model[name] = ([], new SortedSet<string>(StringComparer.Ordinal));
            }
            else
            {
                Table table = tx.GetTable(name);
                Assert.That(table.IndexNames, Is.EqualTo(expected.Indexes), context);
                Change(tx, table, expected, action, ref nextId, commit, rng, model);
            }
            if (commit)
                tx.Commit();
            if (step % 50 == 49)
                AssertMatches(db, model, context);
        }
        AssertMatches(db, model, TestSeed.Describe(seed));
    }

    /// <summary>One random change to <paramref name="table"/>; the model follows when <paramref name="commit"/> is true.</summary>
    private static void Change(WriteTransaction tx, Table table, (Dictionary<long, long> Rows, SortedSet<string> Indexes) expected,
        int action, ref long nextId, bool commit, Random rng,
        Dictionary<string, (Dictionary<long, long> Rows, SortedSet<string> Indexes)> model)
    {
        var rows = new Dictionary<long, long>(expected.Rows);
        var indexes = new SortedSet<string>(expected.Indexes, StringComparer.Ordinal);
        if (action < 60)
        {
            long id = nextId++;
            long a = rng.Next(20);
            table.Insert(Row.Of(id, a, "r"));
            rows[id] = a;
        }
        else if (action < 70 && rows.Count > 0)
        {
            long id = rows.Keys.ElementAt(rng.Next(rows.Count));
            table.Delete(Row.Of(id));
            rows.Remove(id);
        }
        else if (action < 82)
        {
            string index = $"i{rng.Next(3)}";
            if (indexes.Add(index))
                table.CreateIndex(index, [rng.Next(2) == 0 ? "a" : "b"]);
            if (rng.Next(2) == 0) // a write in the transaction that changed the catalog
            {
                long id = nextId++;
                table.Insert(Row.Of(id, 7L, "s"));
                rows[id] = 7;
            }
        }
        else if (action < 94)
        {
            if (indexes.Count > 0)
            {
                string index = indexes.ElementAt(rng.Next(indexes.Count));
                table.DropIndex(index);
                indexes.Remove(index);
            }
        }
        else
        {
            tx.DropTable(table.Name);
            if (commit)
                model.Remove(table.Name);
            return;
        }
        if (commit)
            model[table.Name] = (rows, indexes);
    }

    private static void AssertMatches(PageDatabase db, Dictionary<string, (Dictionary<long, long> Rows, SortedSet<string> Indexes)> model, string context)
    {
        using (ReadTransaction reader = db.BeginRead())
        {
            Assert.That(reader.TableNames, Is.EquivalentTo(model.Keys), context);
            foreach ((string name, var expected) in model)
            {
                Table table = reader.GetTable(name);
                Assert.That(table.IndexNames, Is.EqualTo(expected.Indexes), context);
                Assert.That(table.Scan().ToDictionary(r => r.GetInt64(0), r => r.GetInt64(1)), Is.EquivalentTo(expected.Rows), context);
            }
        }
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.IsOk, Is.True, $"{report}; {context}");
    }

    private static void Commit(PageDatabase db, Action<WriteTransaction> change)
    {
        using WriteTransaction tx = db.BeginWrite();
        change(tx);
        tx.Commit();
    }
}
