using System.Text;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Random inserts, upserts, updates (some moving the row to a new key) and deletes on a table with a unique and a
/// non-unique secondary index, against a dictionary of the rows: after every step the outcome (done, refused for a
/// taken key or unique value, no such row) is the model's, and at checkpoints the table holds the model's rows and
/// its indexes hold exactly one matching entry per row (<see cref="Table.FindProblems"/>), also after a rollback.
/// Names include zero bytes, non-ASCII text and nulls, so index keys read back from stored records take every path,
/// and a lone surrogate, which the table stores as UTF-8 does (as U+FFFD, so it collides with a stored U+FFFD): the
/// table gets the raw name, the model the name as stored.
/// </summary>
public class TableIndexModelTests
{
    private static readonly TableSchema Schema = new("t",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String, Nullable: true),
         new Column("tag", ColumnType.Int64), new Column("note", ColumnType.String)],
        primaryKey: ["id"]);

    private static readonly string[] Names = ["a", "b", "a\0b", "\0", "é", "日本", "x y", "\uD800", "\uFFFD", "long " + new string('n', 300)];

    [Test]
    public void Random_writes_keep_the_indexes_in_step_with_the_rows([Range(0, 3)] int round)
    {
        int seed = TestSeed.Next() + round;
        var random = new Random(seed);
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table table = tx.CreateTable(Schema);
            table.CreateIndex("by_name", ["name"], unique: true);
            table.CreateIndex("by_tag", ["tag", "name"]);
            tx.Commit();
        }
        var model = new Dictionary<long, Row>();
        for (int batch = 0; batch < 30; batch++)
        {
            var before = new Dictionary<long, Row>(model);
            using (WriteTransaction tx = db.BeginWrite())
            {
                Table table = tx.GetTable("t");
                for (int step = 0; step < 60; step++)
                    Step(random, table, model, $"seed {seed}, batch {batch}, step {step}");
                AssertMatches(table, model, $"seed {seed}, batch {batch}");
                if (random.Next(5) == 0)
                    model = before; // rolled back by leaving without a commit
                else
                    tx.Commit();
            }
            using ReadTransaction read = db.BeginRead();
            AssertMatches(read.GetTable("t"), model, $"seed {seed}, after batch {batch}");
        }
    }

    private static void Step(Random random, Table table, Dictionary<long, Row> model, string where)
    {
        long id = random.Next(40);
        string? name = random.Next(6) == 0 ? null : Names[random.Next(Names.Length)] + random.Next(12);
        var tag = (long)random.Next(4);
        string note = new('z', random.Next(0, 200));
        Row written = Row.Of(id, name, tag, note);
        Row row = Row.Of(id, name is null ? null : AsStored(name), tag, note);
        switch (random.Next(5))
        {
            case 0:
                Expect(() => table.Insert(written), Refused(model, row, replacing: null) || model.ContainsKey(id), where + " insert");
                if (!model.ContainsKey(id) && !Refused(model, row, replacing: null))
                    model[id] = row;
                break;
            case 1:
                bool upsertRefused = Refused(model, row, replacing: id);
                Expect(() => table.Upsert(written), upsertRefused, where + " upsert");
                if (!upsertRefused)
                    model[id] = row;
                break;
            case 2:
                long from = random.Next(40);
                bool exists = model.ContainsKey(from);
                bool updateRefused = exists && ((id != from && model.ContainsKey(id)) || Refused(model, row, replacing: from));
                bool updated = false;
                Expect(() => updated = table.Update(Row.Of(from), written), updateRefused, where + " update");
                Assert.That(updated, Is.EqualTo(exists && !updateRefused), where + " update's result");
                if (updated)
                {
                    model.Remove(from);
                    model[id] = row;
                }
                break;
            default:
                Assert.That(table.Delete(Row.Of(id)), Is.EqualTo(model.Remove(id)), where + " delete");
                break;
        }
    }

    [Test]
    public void A_lone_surrogate_is_stored_as_U_FFFD_and_taken_as_that_by_a_unique_index()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using WriteTransaction tx = db.BeginWrite();
        Table table = tx.CreateTable(Schema);
        table.CreateIndex("by_name", ["name"], unique: true);

        table.Insert(Row.Of(1L, "a\uD800", 0L, ""));

        Assert.That(table.Get(Row.Of(1L))!.GetString(1), Is.EqualTo("a\uFFFD"));
        Assert.Throws<ConstraintViolationException>(() => table.Insert(Row.Of(2L, "a\uFFFD", 0L, "")));
        Assert.That(table.FindProblems(), Is.Empty);
    }

    /// <summary>The string a stored row gives back for <paramref name="name"/>: UTF-8 turns a lone surrogate into U+FFFD.</summary>
    private static string AsStored(string name) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name));

    /// <summary>True when another row than <paramref name="replacing"/> (or <paramref name="row"/>'s own key) holds the row's name.</summary>
    private static bool Refused(Dictionary<long, Row> model, Row row, long? replacing) =>
        !row.IsNull(1) && model.Values.Any(other => !other.IsNull(1) && other.GetString(1) == row.GetString(1)
            && other.GetInt64(0) != replacing && other.GetInt64(0) != row.GetInt64(0));

    private static void Expect(Action write, bool refused, string where)
    {
        if (refused)
            Assert.Throws<ConstraintViolationException>(() => write(), where);
        else
            Assert.DoesNotThrow(() => write(), where);
    }

    private static void AssertMatches(Table table, Dictionary<long, Row> model, string where)
    {
        Assert.That(table.FindProblems(), Is.Empty, where);
        Assert.That(table.Count, Is.EqualTo(model.Count), where);
        foreach ((long id, Row expected) in model)
            Assert.That(table.Get(Row.Of(id)), Is.EqualTo(expected), $"{where}, row {id}");
    }
}
