using System.Buffers.Binary;
using PageDb.Records;
using PageDb.Testing;

namespace PageDb.Tests.Records;

public class RecordEncodingTests
{
    private const string File = "test.pagedb";

    [Test]
    public void Random_rows_round_trip_column_by_column()
    {
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        var output = new ByteBuilder();
        for (int i = 0; i < 2_000; i++)
        {
            Column[] columns = RandomColumns(values);
            var layout = new RecordLayout(columns);
            Row row = RandomRow(values, columns);
            RecordEncoding.Encode(row, layout, output);
            var reader = new RecordReader(output.Written, layout, File);
            reader.Verify();
            for (int c = columns.Length - 1; c >= 0; c--)
            {
                Value read = reader.Read(c);
                Assert.That(read.IsNull, Is.EqualTo(row.IsNull(c)), $"{row} column {c}; {TestSeed.Describe(seed)}");
                Assert.That(Value.Compare(read, row.GetValue(c)), Is.Zero, $"{row} column {c}; {TestSeed.Describe(seed)}");
            }
        }
    }

    [Test]
    public void A_column_is_found_without_decoding_the_ones_before_it()
    {
        Column[] columns = [new("s", ColumnType.String), new("n", ColumnType.Int64), new("b", ColumnType.Bytes, true)];
        var layout = new RecordLayout(columns);
        var output = new ByteBuilder();
        RecordEncoding.Encode(Row.Of("hello", 42L, null), layout, output);
        // count (2) + bitmap (1) + slots (8 + 8 + 8) + "hello"
        Assert.That(output.Length, Is.EqualTo(3 + 24 + 5));
        Assert.That(BinaryPrimitives.ReadInt64LittleEndian(output.Written[(3 + 8)..]), Is.EqualTo(42));
        Assert.That(output.Written[2], Is.EqualTo(0b100));
    }

    [Test]
    public void Records_with_fewer_columns_read_the_rest_as_null()
    {
        var output = new ByteBuilder();
        RecordEncoding.Encode(Row.Of(7L), new RecordLayout([new("a", ColumnType.Int64)]), output);
        var wider = new RecordLayout([new("a", ColumnType.Int64), new("b", ColumnType.String, true)]);
        var reader = new RecordReader(output.Written, wider, File);
        Assert.That(reader.Read(0).AsInt64, Is.EqualTo(7));
        Assert.That(reader.IsNull(1), Is.True);
    }

    [Test]
    public void Malformed_records_are_reported_as_corruption()
    {
        var layout = new RecordLayout([new("s", ColumnType.String), new("f", ColumnType.Boolean), new("d", ColumnType.Decimal)]);
        var output = new ByteBuilder();
        RecordEncoding.Encode(Row.Of("abc", true, 1.5m), layout, output);
        byte[] good = output.ToArray();
        Assert.Throws<CorruptDatabaseException>(() => Verify([1], layout));
        Assert.Throws<CorruptDatabaseException>(() => Verify(good[..10], layout));
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 0, 9), layout));          // too many columns
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 3 + 4, 200), layout));    // string past the end
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 3 + 8, 2), layout));      // Boolean 2
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 3 + 9 + 12, 1), layout)); // decimal flags
    }

    private static byte[] Changed(byte[] record, int offset, byte value)
    {
        byte[] copy = (byte[])record.Clone();
        copy[offset] = value;
        return copy;
    }

    private static void Verify(byte[] record, RecordLayout layout) => new RecordReader(record, layout, File).Verify();

    internal static Column[] RandomColumns(RandomValues values)
    {
        var columns = new Column[values.Random.Next(1, 12)];
        for (int i = 0; i < columns.Length; i++)
            columns[i] = new Column("c" + i, values.AnyType(), values.Random.Next(2) == 0);
        return columns;
    }

    internal static Row RandomRow(RandomValues values, Column[] columns)
    {
        var row = new Value[columns.Length];
        for (int i = 0; i < columns.Length; i++)
            row[i] = values.Next(columns[i].Type, columns[i].Nullable ? 0.2 : 0);
        return new Row(row);
    }
}
