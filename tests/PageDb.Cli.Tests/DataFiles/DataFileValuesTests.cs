using PageDb.Cli.DataFiles;

namespace PageDb.Cli.Tests.DataFiles;

public sealed class DataFileValuesTests
{
    private static IEnumerable<TestCaseData> Values()
    {
        var random = new Random(20261201);
        for (int i = 0; i < 200; i++)
        {
            yield return Case(ColumnType.Int64, random.NextInt64(long.MinValue, long.MaxValue));
            yield return Case(ColumnType.Double, BitConverter.Int64BitsToDouble(random.NextInt64()));
            yield return Case(ColumnType.DateTime, new DateTime(random.NextInt64(DateTime.MaxValue.Ticks), DateTimeKind.Utc));
            yield return Case(ColumnType.Decimal, new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29)));
        }
        yield return Case(ColumnType.Double, -0.0);
        yield return Case(ColumnType.Double, double.Epsilon);
        yield return Case(ColumnType.Bytes, Array.Empty<byte>());
        yield return Case(ColumnType.Bytes, new byte[] { 0, 0xab, 0xff });
        yield return Case(ColumnType.Boolean, true);
        yield return Case(ColumnType.String, "");
    }

    private static TestCaseData Case(ColumnType type, object value) => new(type, value);

    [TestCaseSource(nameof(Values))]
    public void FormatThenParseGivesTheSameBits(ColumnType type, object value)
    {
        string text = DataFileValues.Format(Row.Of(value), 0, type)!;
        object parsed = DataFileValues.Parse(text, type);
        Assert.That(Bits(parsed), Is.EqualTo(Bits(value)), text);
    }

    [TestCase("12", ColumnType.Int64, 12L)]
    [TestCase("-5", ColumnType.Int64, -5L)]
    [TestCase("TRUE", ColumnType.Boolean, true)]
    [TestCase("1e3", ColumnType.Double, 1000.0)]
    [TestCase("-Infinity", ColumnType.Double, double.NegativeInfinity)]
    public void ParseReadsCommonSpellings(string text, ColumnType type, object expected) =>
        Assert.That(DataFileValues.Parse(text, type), Is.EqualTo(expected));

    [Test]
    public void DatesWithAZoneBecomeUtcAndDatesWithoutOneAreUtc()
    {
        Assert.That(DataFileValues.Parse("2024-01-01T01:00:00+02:00", ColumnType.DateTime), Is.EqualTo(new DateTime(2023, 12, 31, 23, 0, 0, DateTimeKind.Utc)));
        Assert.That(((DateTime)DataFileValues.Parse("2024-01-01", ColumnType.DateTime)).Kind, Is.EqualTo(DateTimeKind.Utc));
    }

    [TestCase(" 1", ColumnType.Int64)]
    [TestCase("1,000", ColumnType.Double)]
    [TestCase(" 2.5", ColumnType.Double)]
    [TestCase("yes", ColumnType.Boolean)]
    [TestCase("ff00", ColumnType.Bytes)]
    [TestCase("0xf", ColumnType.Bytes)]
    [TestCase("01/02/2024", ColumnType.DateTime)]
    [TestCase("2024-13-01", ColumnType.DateTime)]
    [TestCase("1.5.1", ColumnType.Decimal)]
    public void TextOfAnotherTypeIsRefusedWithTheType(string text, ColumnType type)
    {
        Assert.That(DataFileValues.TryParse(text, type), Is.Null);
        var e = Assert.Throws<DataFileException>(() => DataFileValues.Parse(text, type));
        Assert.That(e!.Message, Does.Contain(type.ToString().ToLowerInvariant()));
    }

    private static object Bits(object value) => value switch
    {
        double d => BitConverter.DoubleToInt64Bits(d),
        decimal m => string.Join(",", decimal.GetBits(m)),
        DateTime t => (t.Ticks, t.Kind),
        byte[] b => Convert.ToHexString(b),
        _ => value,
    };
}
