using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// <see cref="RowBuilder"/>: rows inserted and upserted from one reused builder are the rows its values make, with the
/// same checks as a <see cref="Row"/> (types, nulls, duplicate keys, unique indexes: nothing changes when one throws),
/// and a warm insert from it allocates nothing for the row.
/// </summary>
public class RowBuilderTests
{
    private const int Id = 0, A = 1, Text = 2, Number = 3, Flag = 4, Blob = 5, When = 6, Money = 7;

    private static readonly TableSchema Schema = new("t",
        [new Column("id", ColumnType.Int64), new Column("a", ColumnType.Int64, Nullable: true),
         new Column("text", ColumnType.String, Nullable: true), new Column("number", ColumnType.Double),
         new Column("flag", ColumnType.Boolean, Nullable: true), new Column("blob", ColumnType.Bytes, Nullable: true),
         new Column("when", ColumnType.DateTime, Nullable: true), new Column("money", ColumnType.Decimal, Nullable: true)],
        primaryKey: ["id"]);

    /// <summary>
    /// Random inserts, upserts and invalid writes through one builder, some values left from the previous row, against a
    /// model of the table; a unique index on <c>a</c> and a plain one on <c>text</c> must stay in step (checked at the end).
    /// </summary>
    [Test]
    public void Rows_written_from_a_reused_builder_match_a_model()
    {
        int seed = TestSeed.Next();
        var rng = new Random(seed);
        var model = new Dictionary<long, Row>();
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using (WriteTransaction create = db.BeginWrite())
        {
            Table created = create.CreateTable(Schema);
            created.CreateIndex("by_a", ["a"], unique: true);
            created.CreateIndex("by_text", ["text"]);
            create.Commit();
        }
        var builder = new RowBuilder(Schema.Columns.Count);
        builder.Set(Number, 0.0);

        using (WriteTransaction tx = db.BeginWrite())
        {
            Table table = tx.GetTable("t");
            for (int step = 0; step < 3_000; step++)
            {
                string context = $"step {step}; {TestSeed.Describe(seed)}";
                FillSome(builder, rng);
                Row row = builder.ToRow();
                int action = rng.Next(10);
                if (action == 0)
                {
                    builder.SetNull(Number); // not nullable
                    Assert.Throws<ArgumentException>(() => table.Insert(builder), context);
                    builder.Set(Number, 1.5);
                }
                else if (action == 1)
                {
                    builder.Set(Flag, 7L); // an Int64 in a Boolean column
                    Assert.Throws<ArgumentException>(() => table.Upsert(builder), context);
                    builder.Set(Flag, true);
                }
                else if (action < 6)
                {
                    Write(() => table.Insert(builder), model, row, replace: false, context);
                }
                else
                {
                    Write(() => table.Upsert(builder), model, row, replace: true, context);
                }
                Assert.That(table.Count, Is.EqualTo(model.Count), context);
            }
            tx.Commit();
        }

        using ReadTransaction read = db.BeginRead();
        Table stored = read.GetTable("t");
        Assert.That(stored.Count, Is.EqualTo(model.Count), TestSeed.Describe(seed));
        foreach ((long id, Row row) in model)
            Assert.That(stored.Get(Row.Of(id)), Is.EqualTo(row), $"row {id}; {TestSeed.Describe(seed)}");
        AssertIntact(db);
    }

    [Test]
    public void A_row_taken_from_a_builder_keeps_its_values_when_the_builder_changes()
    {
        var builder = new RowBuilder(3);
        builder.Set(0, 1L);
        builder.Set(1, "one");
        Row row = builder.ToRow();

        builder.Set(0, 2L);
        builder.Set(2, 2.5);

        Assert.That(row, Is.EqualTo(Row.Of(1L, "one", null)));
        Assert.That(builder.ToString(), Is.EqualTo("(2, 'one', 2.5)"));
        Assert.That(builder.GetInt64(0), Is.EqualTo(2L));
        Assert.That(builder.IsNull(2), Is.False);
    }

    /// <summary>
    /// W1's row, written from a builder in a warm transaction: no <see cref="Row"/>, array or box per write (280 bytes
    /// with <see cref="Row.Of"/>). Measured on upserts over the rows inserted first, since a new row's page split
    /// allocates the transaction's new private pages (about 150 bytes per row here).
    /// </summary>
    [Test]
    public void A_warm_write_from_a_builder_allocates_nothing()
    {
        const int Rows = 2_000;
        var schema = new TableSchema("rows",
            [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String),
             new Column("value", ColumnType.Double), new Column("payload", ColumnType.String)],
            primaryKey: ["id"]);
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using WriteTransaction tx = db.BeginWrite();
        Table table = tx.CreateTable(schema);
        var builder = new RowBuilder(4);
        string name = "user_" + new string('n', 15), payload = new string('p', 100);
        void Write(long id, bool upsert)
        {
            builder.Set(0, id);
            builder.Set(1, name);
            builder.Set(2, id / 1024.0);
            builder.Set(3, payload);
            if (upsert)
                table.Upsert(builder);
            else
                table.Insert(builder);
        }
        for (long id = 0; id < Rows; id++)
            Write(id, upsert: false);
        for (long id = 0; id < Rows; id++)
            Write(id, upsert: true);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long id = 0; id < Rows; id++)
            Write(id, upsert: true);
        long total = GC.GetAllocatedBytesForCurrentThread() - before;

        TestContext.Out.WriteLine($"{total} bytes for {Rows} upserts from a builder");
        Assert.That(total, Is.LessThan(Rows));
    }

    /// <summary>Sets each column of <paramref name="builder"/> with probability 1/2 (others keep the previous row's value).</summary>
    private static void FillSome(RowBuilder builder, Random rng)
    {
        builder.Set(Id, (long)rng.Next(300)); // few keys: many duplicates and replacements
        if (rng.Next(2) == 0)
        {
            if (rng.Next(3) == 0)
                builder.SetNull(A);
            else
                builder.Set(A, (long)rng.Next(1_000));
        }
        if (rng.Next(2) == 0)
            builder.Set(Text, rng.Next(4) == 0 ? null : "text " + rng.Next(50));
        if (rng.Next(2) == 0)
            builder.Set(Number, rng.NextDouble() * 100);
        if (rng.Next(2) == 0)
        {
            if (rng.Next(3) == 0)
                builder.SetNull(Flag);
            else
                builder.Set(Flag, rng.Next(2) == 0);
        }
        if (rng.Next(2) == 0)
            builder.Set(Blob, rng.Next(4) == 0 ? null : [(byte)rng.Next(256), 0, (byte)rng.Next(256)]);
        if (rng.Next(2) == 0)
            builder.Set(When, new DateTime(2000 + rng.Next(30), 1 + rng.Next(12), 1, 0, 0, 0, DateTimeKind.Utc));
        if (rng.Next(2) == 0)
            builder.Set(Money, rng.Next(1_000_000) / 100m);
    }

    /// <summary>Runs <paramref name="write"/> of <paramref name="row"/> and checks it threw exactly when the model says.</summary>
    private static void Write(Action write, Dictionary<long, Row> model, Row row, bool replace, string context)
    {
        long id = row.GetInt64(Id);
        bool keyTaken = model.ContainsKey(id);
        bool uniqueTaken = !row.IsNull(A) && model.Any(pair => pair.Key != id && !pair.Value.IsNull(A) && pair.Value.GetInt64(A) == row.GetInt64(A));
        if ((keyTaken && !replace) || uniqueTaken)
        {
            Assert.Throws<ConstraintViolationException>(() => write(), context);
            return;
        }
        write();
        model[id] = row;
    }
}
