using PageDb.Engine;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Write transactions take a table's root, definition and indexes, or a tree's root, from <see cref="WriterCatalogCache"/>
/// while they have not changed the catalog: a warm one-row commit through a table or a tree reads the catalog no more,
/// a table written through the cache keeps every index in step whatever CREATE INDEX, DROP INDEX, DROP TABLE or
/// rollback came before, and a name's kind and root are the committed ones whatever was dropped and created under it.
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
    public void A_warm_one_row_commit_through_a_tree_reads_no_catalog()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.Normal);
        Commit(db, tx => tx.CreateTree("kv"));
        Commit(db, tx => tx.GetTree("kv").Put(Key(0), Key(0)));
        long before = db.Engine.WriterCatalog.CatalogReads;

        for (long id = 1; id <= 10; id++)
            Commit(db, tx => tx.GetTree("kv").Put(Key(id), Key(id)));

        Assert.That(db.Engine.WriterCatalog.CatalogReads, Is.EqualTo(before));
        using ReadTransaction reader = db.BeginRead();
        Assert.That(reader.GetTree("kv").Count, Is.EqualTo(11));
    }

    /// <summary>
    /// Names that are now absent, now a tree, now a table, created, dropped, created again as the other kind, written,
    /// in transactions committed or rolled back (a drop and a create of the other kind sometimes in one transaction):
    /// every write transaction finds each name as the committed catalog has it (kind, and a tree's contents, so its
    /// root), before it changes anything, and the database matches the model.
    /// </summary>
    [Test]
    public void Trees_and_tables_found_through_the_cache_are_the_committed_ones_after_random_drops_and_creates()
    {
        int seed = TestSeed.Next();
        var rng = new Random(seed);
        int steps = TestSeed.LongRun ? 20_000 : 2_000;
        string[] names = ["n0", "n1", "n2"];
        var trees = new Dictionary<string, SortedDictionary<long, long>>(StringComparer.Ordinal);
        var tables = new Dictionary<string, SortedDictionary<long, long>>(StringComparer.Ordinal);
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        for (int step = 0; step < steps; step++)
        {
            string context = $"step {step}; {TestSeed.Describe(seed)}";
            string name = names[rng.Next(names.Length)];
            bool commit = rng.Next(4) != 0;
            using WriteTransaction tx = db.BeginWrite();
            foreach (string other in names) // what every name is, as this writer finds it before it changes anything
            {
                Assert.That(tx.TryGetTree(other, out Tree? tree), Is.EqualTo(trees.ContainsKey(other)), $"{other} a tree; {context}");
                if (tree is not null && rng.Next(4) == 0)
                    Assert.That(Contents(tree), Is.EqualTo(trees[other]), $"{other}'s rows; {context}");
                Assert.That(tx.TryGetTable(other, out _), Is.EqualTo(tables.ContainsKey(other)), $"{other} a table; {context}");
            }
            var nextTrees = new Dictionary<string, SortedDictionary<long, long>>(trees, StringComparer.Ordinal);
            var nextTables = new Dictionary<string, SortedDictionary<long, long>>(tables, StringComparer.Ordinal);
            ChangeName(tx, name, rng, nextTrees, nextTables);
            if (commit)
            {
                tx.Commit();
                (trees, tables) = (nextTrees, nextTables);
            }
            if (step % 100 == 99)
                AssertKinds(db, trees, tables, context);
        }
        AssertKinds(db, trees, tables, TestSeed.Describe(seed));
    }

    /// <summary>One random change to <paramref name="name"/>, followed by the models (copies the caller keeps only on commit).</summary>
    private static void ChangeName(WriteTransaction tx, string name, Random rng,
        Dictionary<string, SortedDictionary<long, long>> trees, Dictionary<string, SortedDictionary<long, long>> tables)
    {
        long key = rng.Next(1000);
        if (trees.TryGetValue(name, out SortedDictionary<long, long>? tree))
        {
            int action = rng.Next(10);
            if (action < 7)
            {
                tx.GetTree(name).Put(Key(key), Key(key + 1));
                trees[name] = new SortedDictionary<long, long>(tree) { [key] = key + 1 };
                return;
            }
            tx.DropTree(name);
            trees.Remove(name);
            if (action == 9) // the name becomes a table in the same transaction
            {
                tx.CreateTable(Schema(name)).Insert(Row.Of(key, key, "t"));
                tables[name] = new SortedDictionary<long, long> { [key] = key };
            }
            return;
        }
        if (tables.TryGetValue(name, out SortedDictionary<long, long>? table))
        {
            if (rng.Next(3) != 0)
            {
                tx.GetTable(name).Upsert(Row.Of(key, key, "t"));
                tables[name] = new SortedDictionary<long, long>(table) { [key] = key };
                return;
            }
            tx.DropTable(name);
            tables.Remove(name);
            return;
        }
        if (rng.Next(3) != 0)
        {
            Tree created = tx.CreateTree(name);
            created.Put(Key(key), Key(key + 1));
            trees[name] = new SortedDictionary<long, long> { [key] = key + 1 };
        }
        else
        {
            tx.CreateTable(Schema(name)).Insert(Row.Of(key, key, "t"));
            tables[name] = new SortedDictionary<long, long> { [key] = key };
        }
    }

    private static void AssertKinds(PageDatabase db, Dictionary<string, SortedDictionary<long, long>> trees,
        Dictionary<string, SortedDictionary<long, long>> tables, string context)
    {
        using (ReadTransaction reader = db.BeginRead())
        {
            Assert.That(reader.TableNames, Is.EquivalentTo(tables.Keys), context);
            foreach ((string name, SortedDictionary<long, long> rows) in trees)
                Assert.That(Contents(reader.GetTree(name)), Is.EqualTo(rows), $"{name}; {context}");
            foreach ((string name, SortedDictionary<long, long> rows) in tables)
                Assert.That(reader.GetTable(name).Scan().ToDictionary(r => r.GetInt64(0), r => r.GetInt64(1)), Is.EquivalentTo(rows), $"{name}; {context}");
        }
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.IsOk, Is.True, $"{report}; {context}");
    }

    private static SortedDictionary<long, long> Contents(Tree tree)
    {
        var rows = new SortedDictionary<long, long>();
        foreach ((byte[] key, byte[] value) in tree.Range(null, null))
            rows[System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(key)] = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(value);
        return rows;
    }

    private static byte[] Key(long value)
    {
        byte[] bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
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
