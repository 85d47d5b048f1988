using PageDb.Records;
using PageDb.Testing;
using PageDb.Tests.Records;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

public class RowBufferTests
{
    private static readonly TableSchema People = new("people",
        [new Column("name", ColumnType.String), new Column("id", ColumnType.Int64), new Column("score", ColumnType.Double, true),
         new Column("born", ColumnType.DateTime, true), new Column("paid", ColumnType.Decimal, true), new Column("ok", ColumnType.Boolean, true),
         new Column("photo", ColumnType.Bytes, true)],
        primaryKey: ["id"]);

    [Test]
    public void A_reused_buffer_holds_each_row_it_was_filled_with_until_the_next_fill()
    {
        using PageDatabase db = Open(new MemoryStorage());
        var born = new DateTime(1990, 5, 6, 0, 0, 0, DateTimeKind.Utc);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table people = tx.CreateTable(People);
            people.Insert(Row.Of("ann", 1L, 2.5, born, 10.25m, true, new byte[] { 0, 1 }));
            people.Insert(Row.Of("bob", 2L, null, null, null, null, null));
            tx.Commit();
        }
        var row = new RowBuffer();
        Assert.That(row.Count, Is.Zero);
        Assert.Throws<InvalidOperationException>(() => row.GetInt64(0));
        using ReadTransaction read = db.BeginRead();
        Table table = read.GetTable("people");

        Assert.That(table.TryGet(1, row), Is.True);
        Assert.That((row.GetString(0), row.GetInt64(1), row.GetDouble(2), row.GetDateTime(3)), Is.EqualTo(("ann", 1L, 2.5, born)));
        Assert.That((row.GetDecimal(4), row.GetBoolean(5), row.GetBytes(6)), Is.EqualTo((10.25m, true, new byte[] { 0, 1 })));
        Assert.That(row.ToRow(), Is.EqualTo(table.Get(Row.Of(1L))));

        Assert.That(table.TryGet(Row.Of(2L), row), Is.True);
        Assert.That(row.GetString(0), Is.EqualTo("bob"));
        Assert.That(row.IsNull(2), Is.True);
        Assert.Throws<InvalidCastException>(() => row.GetDouble(2));
        Assert.Throws<InvalidCastException>(() => row.GetInt64(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => row.GetInt64(7));

        Assert.That(table.TryGet(3, row), Is.False);
        Assert.That(row.GetString(0), Is.EqualTo("bob"), "a miss leaves the buffer as it was");
        read.Dispose();
        Assert.That(row.GetInt64(1), Is.EqualTo(2), "the buffer holds its own copies");
    }

    [Test]
    public void The_int64_lookup_refuses_a_table_whose_key_is_not_one_int64()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table named = tx.CreateTable(new TableSchema("named", [new Column("name", ColumnType.String)], ["name"]));
        Table log = tx.CreateTable(new TableSchema("log", [new Column("message", ColumnType.String)]));
        log.Insert(Row.Of("first"));
        var row = new RowBuffer();
        Assert.Throws<ArgumentException>(() => named.TryGet(1, row));
        Assert.That(log.TryGet(1, row), Is.True, "a row id is an Int64 key");
        Assert.That(row.GetString(0), Is.EqualTo("first"));
    }

    [Test]
    public void A_loaded_compact_record_reads_as_the_record_reader_reads_it_and_a_damaged_one_loads_only_when_it_verifies()
    {
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        var record = new ByteBuilder();
        var row = new RowBuffer();
        for (int i = 0; i < 2_000; i++)
        {
            Column[] columns = RecordEncodingTests.RandomColumns(values);
            var layout = new RecordLayout(columns, [], RecordFormat.Compact);
            CompactRecordEncoding.Encode(RecordEncodingTests.RandomRow(values, columns), layout, record);
            byte[] bytes = record.ToArray();
            if (bytes.Length > 0 && values.Random.Next(2) == 0)
                bytes[values.Random.Next(bytes.Length)] ^= (byte)(1 << values.Random.Next(8));
            bool verifies = Verifies(bytes, layout);
            try
            {
                row.Load([], bytes, layout, "test.pagedb");
            }
            catch (CorruptDatabaseException)
            {
                Assert.That(verifies, Is.False, $"a record that verifies failed to load; {TestSeed.Describe(seed)}");
                Assert.Throws<InvalidOperationException>(() => row.GetInt64(0), "a failed load leaves no row");
                continue;
            }
            if (!verifies)
                continue; // invariant 4 (a DateTime's range, a Decimal's flags) is checked by the getter of that column
            var reader = new RecordReader(bytes, layout, "test.pagedb");
            for (int c = 0; c < columns.Length; c++)
                Assert.That(row.Read(c), Is.EqualTo(reader.Read(c)), $"column {c} of record {i}; {TestSeed.Describe(seed)}");
        }
    }

    private static bool Verifies(byte[] record, RecordLayout layout)
    {
        try
        {
            new RecordReader(record, layout, "test.pagedb").Verify();
            return true;
        }
        catch (CorruptDatabaseException)
        {
            return false;
        }
    }
}
