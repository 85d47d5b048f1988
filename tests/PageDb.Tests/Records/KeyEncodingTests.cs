using PageDb.Records;
using PageDb.Testing;

namespace PageDb.Tests.Records;

public class KeyEncodingTests
{
    private const string File = "test.pagedb";

    [Test]
    public void Byte_order_of_encodings_equals_value_order_for_random_pairs([Values] bool compactIntegers)
    {
        KeyFormat format = FormatOf(compactIntegers);
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        for (int i = 0; i < 20_000; i++)
        {
            ColumnType type = values.AnyType();
            Value a = values.Next(type), b = values.Random.Next(4) == 0 ? a : values.Next(type);
            int expected = Math.Sign(Value.Compare(a, b));
            int actual = Math.Sign(Encode(format, a).AsSpan().SequenceCompareTo(Encode(format, b)));
            Assert.That(actual, Is.EqualTo(expected), $"{type} {a} vs {b}; {TestSeed.Describe(seed)}");
        }
    }

    [Test]
    public void Byte_order_of_composite_keys_is_tuple_order([Values] bool compactIntegers)
    {
        KeyFormat format = FormatOf(compactIntegers);
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        for (int i = 0; i < 5_000; i++)
        {
            ColumnType first = values.AnyType(), second = values.AnyType();
            Value[] a = [values.Small(first), values.Next(second)];
            Value[] b = [values.Random.Next(2) == 0 ? a[0] : values.Small(first), values.Next(second)];
            int expected = Math.Sign(Value.Compare(a[0], b[0]) is var c and not 0 ? c : Value.Compare(a[1], b[1]));
            int actual = Math.Sign(Encode(format, a).AsSpan().SequenceCompareTo(Encode(format, b)));
            Assert.That(actual, Is.EqualTo(expected), $"({a[0]}, {a[1]}) vs ({b[0]}, {b[1]}); {TestSeed.Describe(seed)}");
        }
    }

    [Test]
    public void Decoding_returns_an_equal_value([Values] bool compactIntegers)
    {
        KeyFormat format = FormatOf(compactIntegers);
        int seed = TestSeed.Next();
        var values = new RandomValues(new Random(seed));
        for (int i = 0; i < 5_000; i++)
        {
            ColumnType type = values.AnyType();
            Value value = values.Next(type);
            byte[] key = Encode(format, value);
            int offset = 0;
            Value decoded = KeyEncoding.Decode(key, ref offset, type, format, File);
            Assert.That(offset, Is.EqualTo(key.Length), $"{type} {value}; {TestSeed.Describe(seed)}");
            Assert.That(Value.Compare(decoded, value), Is.Zero, $"{type} {value} -> {decoded}; {TestSeed.Describe(seed)}");
        }
    }

    [Test]
    public void Equal_values_of_one_type_encode_equally()
    {
        Assert.That(Encode(Value.FromDouble(-0.0)), Is.EqualTo(Encode(Value.FromDouble(0.0))));
        Assert.That(Encode(Value.FromDouble(double.NaN)),
            Is.EqualTo(Encode(Value.FromDouble(BitConverter.Int64BitsToDouble(0x7FF0000000000001)))));
        Assert.That(Encode(Value.FromDecimal(1.0m)), Is.EqualTo(Encode(Value.FromDecimal(1.00m))));
    }

    [Test]
    public void Nulls_sort_first_and_nan_before_negative_infinity()
    {
        byte[] nul = Encode(Value.Null), nan = Encode(Value.FromDouble(double.NaN));
        byte[] negInf = Encode(Value.FromDouble(double.NegativeInfinity));
        Assert.That(nul.AsSpan().SequenceCompareTo(nan), Is.Negative);
        Assert.That(nan.AsSpan().SequenceCompareTo(negInf), Is.Negative);
    }

    [Test]
    public void Strings_with_zero_bytes_order_after_their_prefix()
    {
        byte[] a = Encode(Value.FromString("a")), a0 = Encode(Value.FromString("a\0")), a1 = Encode(Value.FromString("a\u0001"));
        Assert.That(a.AsSpan().SequenceCompareTo(a0), Is.Negative);
        Assert.That(a0.AsSpan().SequenceCompareTo(a1), Is.Negative);
        Assert.That(Convert.ToHexString(a0), Is.EqualTo("016100FF0000"));
    }

    [Test]
    public void Malformed_keys_are_reported_as_corruption()
    {
        Assert.Throws<CorruptDatabaseException>(() => Decode([0x01, 0x80], ColumnType.Int64));
        Assert.Throws<CorruptDatabaseException>(() => Decode([0x07], ColumnType.Int64));
        Assert.Throws<CorruptDatabaseException>(() => Decode([0x01, 0x61, 0x00, 0x05], ColumnType.String));
        Assert.Throws<CorruptDatabaseException>(() => Decode([0x01, 0x02, 0x80, 0x0C, 0x00], ColumnType.Decimal));
    }

    [TestCase(0L, "0A")]
    [TestCase(1L, "0B01")]
    [TestCase(1_000_000L, "0D0F4240")]
    [TestCase(-1L, "09")]
    [TestCase(-2L, "08FE")]
    [TestCase(-256L, "0800")]
    [TestCase(-257L, "07FEFF")]
    [TestCase(long.MaxValue, "127FFFFFFFFFFFFFFF")]
    [TestCase(long.MinValue, "018000000000000000")]
    public void Compact_integers_are_a_head_byte_and_their_significant_bytes(long value, string hex)
    {
        Assert.That(Convert.ToHexString(Encode(KeyFormat.CompactIntegers, Value.FromInt64(value))), Is.EqualTo(hex));
        Assert.That(Encode(KeyFormat.CompactIntegers, Value.Null), Is.EqualTo(new byte[] { 0x00 }), "null stays below every head");
    }

    [Test]
    public void Compact_integers_at_every_length_boundary_order_and_round_trip()
    {
        var boundaries = new SortedSet<long> { long.MinValue, long.MaxValue };
        for (int bits = 0; bits < 63; bits++)
        {
            long power = 1L << bits;
            boundaries.UnionWith([power - 1, power, power + 1, -power - 1, -power, -power + 1]);
        }
        byte[]? previous = null;
        foreach (long value in boundaries)
        {
            byte[] key = Encode(KeyFormat.CompactIntegers, Value.FromInt64(value));
            if (previous is not null)
                Assert.That(previous.AsSpan().SequenceCompareTo(key), Is.Negative, $"{value}");
            int offset = 0;
            Assert.That(KeyEncoding.Decode(key, ref offset, ColumnType.Int64, KeyFormat.CompactIntegers, File).AsInt64, Is.EqualTo(value));
            Assert.That(offset, Is.EqualTo(key.Length), $"{value}");
            previous = key;
        }
    }

    [TestCase("13", TestName = "a head above 0x12")]
    [TestCase("0B", TestName = "fewer bytes than the head gives")]
    [TestCase("0C0005", TestName = "a leading zero byte")]
    [TestCase("07FF05", TestName = "a leading 0xFF byte of a negative")]
    [TestCase("128000000000000000", TestName = "eight bytes too large for a positive")]
    [TestCase("017F00000000000000", TestName = "eight bytes too small for a negative")]
    public void Malformed_compact_integers_are_reported_as_corruption(string hex)
    {
        byte[] key = Convert.FromHexString(hex);
        Assert.Throws<CorruptDatabaseException>(() =>
        {
            int offset = 0;
            KeyEncoding.Decode(key, ref offset, ColumnType.Int64, KeyFormat.CompactIntegers, File);
        });
    }

    private static void Decode(byte[] key, ColumnType type)
    {
        int offset = 0;
        KeyEncoding.Decode(key, ref offset, type, KeyFormat.Tagged, File);
    }

    private static KeyFormat FormatOf(bool compactIntegers) => compactIntegers ? KeyFormat.CompactIntegers : KeyFormat.Tagged;

    internal static byte[] Encode(params Value[] values) => Encode(KeyFormat.Tagged, values);

    internal static byte[] Encode(KeyFormat format, params Value[] values)
    {
        var builder = new ByteBuilder();
        foreach (Value value in values)
            KeyEncoding.Append(builder, value, format);
        return builder.ToArray();
    }
}
