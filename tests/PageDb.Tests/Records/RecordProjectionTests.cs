using PageDb.Execution;
using PageDb.Records;
using PageDb.Testing;

namespace PageDb.Tests.Records;

/// <summary>
/// <see cref="RecordProjection"/>'s one-walk decode against the column-at-a-time <see cref="RecordReader"/> as the
/// model: every record format (fixed slots, compact, compact keys), every column type, nulls, key columns, row ids,
/// repeated and reordered columns, records older than their schema, and damaged records.
/// </summary>
public class RecordProjectionTests
{
    private const string File = "test.pagedb";

    private static readonly RecordFormat[] Formats = [RecordFormat.FixedSlots, RecordFormat.Compact, RecordFormat.CompactKeys];

    [Test]
    public void Random_projections_decode_what_the_reader_reads_column_by_column()
    {
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        for (int i = 0; i < 3_000; i++)
        {
            Case c = RandomCase(values, i);
            Value[] decoded = Stale(c.Projection.Ordinals.Length);
            c.Projection.Decode(c.Key, c.Record, File, decoded);
            for (int o = 0; o < decoded.Length; o++)
            {
                string context = $"{c} output {o}; {TestSeed.Describe(seed)}";
                AssertSame(decoded[o], c.Expected(c.Projection.Ordinals[o]), context);
            }
        }
    }

    [Test]
    public void Damaged_records_throw_exactly_when_the_reader_finds_them_corrupt()
    {
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        for (int i = 0; i < 3_000; i++)
        {
            Case c = RandomCase(values, i);
            byte[] damaged = c.Record.ToArray();
            if (damaged.Length > 0 && values.Random.Next(4) > 0)
                damaged[values.Random.Next(damaged.Length)] ^= (byte)(1 << values.Random.Next(8));
            if (values.Random.Next(4) == 0)
                damaged = damaged[..values.Random.Next(damaged.Length + 1)];
            Value[]? expected = ReadOrNull(c, damaged);
            Value[] decoded = Stale(c.Projection.Ordinals.Length);
            string context = $"{c}, damaged [{Convert.ToHexString(damaged)}]; {TestSeed.Describe(seed)}";
            try
            {
                c.Projection.Decode(c.Key, damaged, File, decoded);
            }
            catch (CorruptDatabaseException)
            {
                Assert.That(expected, Is.Null, $"the projection found corruption the reader did not: {context}");
                continue;
            }
            Assert.That(expected, Is.Not.Null, $"the reader found corruption the projection did not: {context}");
            for (int o = 0; o < decoded.Length; o++)
                AssertSame(decoded[o], expected![o], $"output {o}: {context}");
        }
    }

    [Test]
    public void A_named_projection_is_reused_while_the_names_repeat()
    {
        var schema = new TableSchema("t", [new Column("id", ColumnType.Int64), new Column("v", ColumnType.Double)], primaryKey: ["id"]);
        var definition = new TableDefinition(schema, SchemaEncoding.EncodeTable(schema));
        RecordProjection first = definition.Projection(["v", "id"]);
        Assert.That(definition.Projection(["v", "id"]), Is.SameAs(first));
        Assert.That(definition.Projection(["id", "v"]).Ordinals, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(definition.Projection(["v", "id"]).Ordinals, Is.EqualTo(new[] { 1, 0 }));
        Assert.That(definition.Projection(null), Is.SameAs(definition.AllColumns));
        Assert.Throws<ArgumentException>(() => definition.Projection(["nope"]));
    }

    /// <summary>The reader's values of the projection's columns, or null when a read or the end check finds corruption.</summary>
    private static Value[]? ReadOrNull(Case c, byte[] record)
    {
        try
        {
            var reader = new RecordReader(record, c.Layout, File, c.Key);
            var values = new Value[c.Projection.Ordinals.Length];
            for (int o = 0; o < values.Length; o++)
            {
                int ordinal = c.Projection.Ordinals[o];
                values[o] = ordinal == c.Layout.ColumnCount ? c.Expected(ordinal) : reader.Read(ordinal);
            }
            reader.CheckEnd();
            return values;
        }
        catch (CorruptDatabaseException)
        {
            return null;
        }
    }

    private static Case RandomCase(RandomValues values, int i)
    {
        Random random = values.Random;
        RecordFormat format = Formats[i % Formats.Length];
        Column[] columns = RecordEncodingTests.RandomColumns(values);
        bool rowId = random.Next(3) == 0;
        int[] keyOrdinals = rowId ? [] : Enumerable.Range(0, columns.Length).OrderBy(_ => random.Next()).Take(random.Next(1, Math.Min(3, columns.Length) + 1)).ToArray();
        var layout = new RecordLayout(columns, keyOrdinals, format);
        Row row = RecordEncodingTests.RandomRow(values, columns);
        long id = random.NextInt64(long.MinValue, long.MaxValue);
        var key = new ByteBuilder();
        if (rowId)
            KeyEncoding.AppendRowId(key, id, layout.KeyFormat);
        else
            KeyEncoding.AppendColumns(key, row, keyOrdinals, layout.KeyFormat);

        // A record written before the schema's last columns were added: they read as null.
        int written = keyOrdinals.Length == 0 && random.Next(5) == 0 ? random.Next(columns.Length + 1) : columns.Length;
        Row stored = Row.Of([.. Enumerable.Range(0, columns.Length).Select(c => c < written ? row.GetValue(c).ToObject() : null)]);
        var record = new ByteBuilder();
        var writtenLayout = new RecordLayout(columns[..written], keyOrdinals, format);
        if (format == RecordFormat.FixedSlots)
            RecordEncoding.Encode(Row.Of([.. Enumerable.Range(0, written).Select(c => row.GetValue(c).ToObject())]), writtenLayout, record);
        else
            CompactRecordEncoding.Encode(Row.Of([.. Enumerable.Range(0, written).Select(c => row.GetValue(c).ToObject())]), writtenLayout, record);

        // Any columns in any order, repeats allowed, the row id among them when the table has one.
        int choices = columns.Length + (rowId ? 1 : 0);
        int[] ordinals = [.. Enumerable.Range(0, random.Next(1, choices + 3)).Select(_ => random.Next(choices))];
        var outputs = new OutputColumn[ordinals.Length];
        for (int o = 0; o < outputs.Length; o++)
            outputs[o] = new OutputColumn("c" + ordinals[o], "t");
        var projection = new RecordProjection(layout, ordinals, columns.Length, outputs, names: null);
        return new Case(layout, projection, key.ToArray(), record.ToArray(), stored, id);
    }

    /// <summary>A reused buffer's values from an earlier row: the decode must overwrite every one.</summary>
    private static Value[] Stale(int count) => Enumerable.Repeat(Value.FromString("stale"), count).ToArray();

    private static void AssertSame(Value read, Value expected, string context)
    {
        Assert.That(read.IsNull, Is.EqualTo(expected.IsNull), context);
        if (read.IsNull)
            return;
        Assert.That(read.Type, Is.EqualTo(expected.Type), context);
        Assert.That(Value.Compare(read, expected), Is.Zero, context);
        if (read.Type == ColumnType.Double)
            Assert.That(read.Bits, Is.EqualTo(expected.Bits), context);
        if (read.Type == ColumnType.Decimal)
            Assert.That(decimal.GetBits(read.AsDecimal), Is.EqualTo(decimal.GetBits(expected.AsDecimal)), context);
    }

    private sealed record Case(RecordLayout Layout, RecordProjection Projection, byte[] Key, byte[] Record, Row Row, long RowId)
    {
        /// <summary>The value column <paramref name="ordinal"/> was written with (the row id one past the last column).</summary>
        public Value Expected(int ordinal) => ordinal == Layout.ColumnCount ? Value.FromInt64(RowId) : Row.GetValue(ordinal);

        public override string ToString() =>
            $"{Layout.Format} row {Row} key [{string.Join(",", Layout.KeyTypes)}] columns [{string.Join(",", Projection.Ordinals)}] record [{Convert.ToHexString(Record)}]";
    }
}
