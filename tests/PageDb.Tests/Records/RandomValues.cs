using PageDb.Records;

namespace PageDb.Tests.Records;

/// <summary>Random typed values for the table tests, biased towards edge cases (extremes, zeros, NaN, zero bytes).</summary>
internal sealed class RandomValues(Random random)
{
    private static readonly ColumnType[] AllTypes = Enum.GetValues<ColumnType>();

    private static readonly long[] EdgeLongs = [long.MinValue, long.MinValue + 1, -1, 0, 1, long.MaxValue - 1, long.MaxValue];

    private static readonly double[] EdgeDoubles =
        [double.NaN, double.NegativeInfinity, double.MinValue, -1.5, -double.Epsilon, -0.0, 0.0, double.Epsilon, 1.5,
         double.MaxValue, double.PositiveInfinity, BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000001)),
         BitConverter.Int64BitsToDouble(0x7FF0000000000001)];

    private static readonly decimal[] EdgeDecimals =
        [decimal.MinValue, -1.00m, -1m, -0.001m, 0m, 0.000m, 0.0000000000000000000000000001m, 0.1m, 0.10m, 1m, 1.0m,
         10m, 12.5m, decimal.MaxValue, 79228162514264337593543950334m];

    public Random Random => random;

    public ColumnType AnyType() => AllTypes[random.Next(AllTypes.Length)];

    /// <summary>A value of <paramref name="type"/>, or null with probability <paramref name="nullChance"/>.</summary>
    public Value Next(ColumnType type, double nullChance = 0.1) =>
        random.NextDouble() < nullChance ? Value.Null : NonNull(type);

    public Value NonNull(ColumnType type) => type switch
    {
        ColumnType.Int64 => Value.FromInt64(NextLong()),
        ColumnType.Double => Value.FromDouble(NextDouble()),
        ColumnType.Boolean => Value.FromBoolean(random.Next(2) == 1),
        ColumnType.String => Value.FromString(NextString()),
        ColumnType.Bytes => Value.FromBytes(NextBytes()),
        ColumnType.DateTime => Value.FromDateTimeTicks(random.NextInt64(DateTime.MaxValue.Ticks + 1)),
        ColumnType.Decimal => Value.FromDecimal(NextDecimal()),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>A small value, so random rows collide on keys and group keys often.</summary>
    public Value Small(ColumnType type) => type switch
    {
        ColumnType.Int64 => Value.FromInt64(random.Next(-5, 20)),
        ColumnType.Double => Value.FromDouble(random.Next(-5, 20) / 2.0),
        ColumnType.Boolean => Value.FromBoolean(random.Next(2) == 1),
        ColumnType.String => Value.FromString(((char)('a' + random.Next(6))).ToString() + (random.Next(3) == 0 ? "\0x" : "")),
        ColumnType.Bytes => Value.FromBytes([(byte)random.Next(4), (byte)random.Next(2)]),
        ColumnType.DateTime => Value.FromDateTimeTicks(random.Next(10) * TimeSpan.TicksPerDay),
        ColumnType.Decimal => Value.FromDecimal(random.Next(-20, 40) / 4m),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private long NextLong() => random.Next(4) switch
    {
        0 => EdgeLongs[random.Next(EdgeLongs.Length)],
        1 => random.Next(-1000, 1000),
        _ => random.NextInt64(long.MinValue, long.MaxValue),
    };

    private double NextDouble() => random.Next(4) switch
    {
        0 => EdgeDoubles[random.Next(EdgeDoubles.Length)],
        1 => random.Next(-100, 100) / 4.0,
        2 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
        _ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300)),
    };

    private decimal NextDecimal()
    {
        if (random.Next(3) == 0)
            return EdgeDecimals[random.Next(EdgeDecimals.Length)];
        return new decimal(random.Next(), random.Next(), random.Next(3) == 0 ? random.Next() : 0, random.Next(2) == 1, (byte)random.Next(29));
    }

    private string NextString()
    {
        const string alphabet = "\0\u0001aAbz~\u007f\u00e9\u0800\uffff";
        int length = random.Next(6);
        var chars = new List<char>();
        for (int i = 0; i < length; i++)
        {
            if (random.Next(8) == 0)
                chars.AddRange(char.ConvertFromUtf32(0x1F600 + random.Next(3)));
            else
                chars.Add(alphabet[random.Next(alphabet.Length)]);
        }
        return new string([.. chars]);
    }

    private byte[] NextBytes()
    {
        byte[] bytes = new byte[random.Next(5)];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = random.Next(3) switch { 0 => 0, 1 => 0xFF, _ => (byte)random.Next(256) };
        return bytes;
    }
}
