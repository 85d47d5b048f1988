using PageDb.Records;
using PageDb.Testing;

namespace PageDb.Tests.Records;

public class CompactRecordEncodingTests
{
    private const string File = "test.pagedb";

    private static readonly Column[] BenchColumns =
        [new("id", ColumnType.Int64), new("name", ColumnType.String), new("value", ColumnType.Double), new("payload", ColumnType.String)];

    [Test]
    public void Random_rows_round_trip_with_their_key_columns_read_from_the_key()
    {
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        var record = new ByteBuilder();
        var key = new ByteBuilder();
        for (int i = 0; i < 2_000; i++)
        {
            Column[] columns = RecordEncodingTests.RandomColumns(values);
            int[] keyOrdinals = RandomKey(values.Random, columns.Length);
            var layout = new RecordLayout(columns, keyOrdinals, i % 2 == 0 ? RecordFormat.Compact : RecordFormat.CompactKeys);
            Row row = RecordEncodingTests.RandomRow(values, columns);
            CompactRecordEncoding.Encode(row, layout, record);
            key.Clear();
            KeyEncoding.AppendColumns(key, row, keyOrdinals, layout.KeyFormat);
            var reader = new RecordReader(record.Written, layout, File, key.Written);
            reader.Verify();
            // Descending, then ascending: the header walk restarts and continues.
            for (int c = columns.Length - 1; c >= 0; c--)
                AssertColumn(reader.Read(c), row, keyOrdinals, c, seed);
            for (int c = 0; c < columns.Length; c++)
                Assert.That(reader.IsNull(c), Is.EqualTo(row.IsNull(c)), $"{row} column {c}; {TestSeed.Describe(seed)}");
        }
    }

    [Test]
    public void Random_damage_is_reported_as_corruption_or_decodes_within_the_record()
    {
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        var record = new ByteBuilder();
        for (int i = 0; i < 2_000; i++)
        {
            Column[] columns = RecordEncodingTests.RandomColumns(values);
            var layout = new RecordLayout(columns, [], RecordFormat.Compact);
            CompactRecordEncoding.Encode(RecordEncodingTests.RandomRow(values, columns), layout, record);
            byte[] damaged = record.ToArray();
            if (damaged.Length > 0 && values.Random.Next(3) > 0)
                damaged[values.Random.Next(damaged.Length)] ^= (byte)(1 << values.Random.Next(8));
            if (values.Random.Next(3) == 0)
                damaged = damaged[..values.Random.Next(damaged.Length + 1)];
            try
            {
                var reader = new RecordReader(damaged, layout, File);
                reader.Verify();
                for (int c = 0; c < columns.Length; c++)
                    reader.Read(c);
            }
            catch (CorruptDatabaseException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name} instead of corruption: {e.Message}; {TestSeed.Describe(seed)}");
            }
        }
    }

    [Test]
    public void The_bench_row_takes_four_header_bytes_and_leaves_its_key_to_the_key()
    {
        var layout = new RecordLayout(BenchColumns, [0], RecordFormat.Compact);
        var record = new ByteBuilder();
        CompactRecordEncoding.Encode(Row.Of(123456789L, new string('n', 20), 512.25, new string('p', 100)), layout, record);
        // count, 3 serial types (12 + 20, 7, 12 + 100), then 20 + 8 + 100 body bytes; the id is not stored.
        Assert.That(record.Written[..4].ToArray(), Is.EqualTo(new byte[] { 3, 32, 7, 112 }));
        Assert.That(record.Length, Is.EqualTo(4 + 128));
        Assert.That(layout.StoredOrdinals, Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void Integers_take_the_fewest_bytes_that_hold_them()
    {
        var layout = new RecordLayout([new("n", ColumnType.Int64)], [], RecordFormat.Compact);
        var record = new ByteBuilder();
        (long Value, int Type, int Body)[] cases =
            [(0, 1, 0), (1, 2, 0), (-1, 3, 1), (127, 3, 1), (-129, 4, 2), (40_000, 5, 4), (long.MinValue, 6, 8)];
        foreach ((long value, int type, int body) in cases)
        {
            CompactRecordEncoding.Encode(Row.Of(value), layout, record);
            Assert.That(record.Written[1], Is.EqualTo(type), $"{value}");
            Assert.That(record.Length, Is.EqualTo(2 + body), $"{value}");
            Assert.That(new RecordReader(record.Written, layout, File).Read(0).AsInt64, Is.EqualTo(value));
        }
    }

    [Test]
    public void Double_and_decimal_key_columns_stay_in_the_record_because_the_key_normalizes_them()
    {
        Column[] columns = [new("d", ColumnType.Double), new("m", ColumnType.Decimal), new("s", ColumnType.String)];
        var layout = new RecordLayout(columns, [0, 1, 2], RecordFormat.Compact);
        Assert.That(layout.StoredOrdinals, Is.EqualTo(new[] { 0, 1 }));
        var record = new ByteBuilder();
        var key = new ByteBuilder();
        Row row = Row.Of(-0.0, 1.50m, "x");
        CompactRecordEncoding.Encode(row, layout, record);
        KeyEncoding.AppendColumns(key, row, [0, 1, 2], layout.KeyFormat);
        var reader = new RecordReader(record.Written, layout, File, key.Written);
        Assert.That(double.IsNegative(reader.Read(0).AsDouble), Is.True);
        Assert.That(reader.Read(1).AsDecimal.ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo("1.50"));
        Assert.That(reader.Read(2).AsString, Is.EqualTo("x"));
    }

    [Test]
    public void Records_with_fewer_columns_read_the_rest_as_null()
    {
        var record = new ByteBuilder();
        CompactRecordEncoding.Encode(Row.Of(7L), new RecordLayout([new("a", ColumnType.Int64)], [], RecordFormat.Compact), record);
        var wider = new RecordLayout([new("a", ColumnType.Int64), new("b", ColumnType.String, true)], [], RecordFormat.Compact);
        var reader = new RecordReader(record.Written, wider, File);
        reader.Verify();
        Assert.That(reader.Read(0).AsInt64, Is.EqualTo(7));
        Assert.That(reader.IsNull(1), Is.True);
    }

    [Test]
    public void Malformed_records_are_reported_as_corruption()
    {
        Column[] columns = [new("s", ColumnType.String), new("f", ColumnType.Boolean), new("d", ColumnType.Decimal), new("t", ColumnType.DateTime)];
        var layout = new RecordLayout(columns, [], RecordFormat.Compact);
        var record = new ByteBuilder();
        CompactRecordEncoding.Encode(Row.Of("abc", true, 1.5m, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)), layout, record);
        byte[] good = record.ToArray();
        Assert.That(good[..4], Is.EqualTo(new byte[] { 4, 15, 2, 8 }));
        Assert.DoesNotThrow(() => Verify(good, layout));
        Assert.Throws<CorruptDatabaseException>(() => Verify([], layout));                       // no count
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 0, 5), layout));       // more columns than the schema
        Assert.Throws<CorruptDatabaseException>(() => Verify(good[..3], layout));                 // header cut short
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 1, 40), layout));      // string past the end
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 1, 14), layout));      // bytes after the last column
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 2, 3), layout));       // Boolean as a 1-byte integer
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 2, 9), layout));       // reserved serial type
        Assert.Throws<CorruptDatabaseException>(() => Verify(Changed(good, 5 + 3 + 15, 1), layout)); // decimal flags
        Assert.Throws<CorruptDatabaseException>(() => Verify([.. good, 0], layout));              // trailing byte
        Assert.Throws<CorruptDatabaseException>(() => Verify([1, 0x80, 0x80, 0x80, 0x80, 0x10], layout)); // varint over 32 bits
        byte[] farFuture = [1, 6, .. BitConverter.GetBytes(long.MaxValue)];
        var dates = new RecordLayout([new("t", ColumnType.DateTime)], [], RecordFormat.Compact);
        Assert.Throws<CorruptDatabaseException>(() => Verify(farFuture, dates));                  // ticks past DateTime.MaxValue
    }

    private static void AssertColumn(Value read, Row row, int[] keyOrdinals, int column, int seed)
    {
        Value written = row.GetValue(column);
        string context = $"{row} column {column}, key [{string.Join(",", keyOrdinals)}]; {TestSeed.Describe(seed)}";
        Assert.That(read.IsNull, Is.EqualTo(written.IsNull), context);
        Assert.That(Value.Compare(read, written), Is.Zero, context);
        if (!read.IsNull && read.Type == ColumnType.Double)
            Assert.That(BitConverter.DoubleToInt64Bits(read.AsDouble), Is.EqualTo(written.Bits), context);
        if (!read.IsNull && read.Type == ColumnType.Decimal)
            Assert.That(decimal.GetBits(read.AsDecimal), Is.EqualTo(decimal.GetBits(written.AsDecimal)), context);
    }

    /// <summary>Up to three distinct column ordinals in random order (none: a row id).</summary>
    private static int[] RandomKey(Random random, int columns)
    {
        int[] shuffled = Enumerable.Range(0, columns).OrderBy(_ => random.Next()).ToArray();
        return shuffled[..random.Next(Math.Min(3, columns) + 1)];
    }

    private static byte[] Changed(byte[] record, int offset, byte value)
    {
        byte[] copy = (byte[])record.Clone();
        copy[offset] = value;
        return copy;
    }

    private static void Verify(byte[] record, RecordLayout layout) => new RecordReader(record, layout, File).Verify();
}
