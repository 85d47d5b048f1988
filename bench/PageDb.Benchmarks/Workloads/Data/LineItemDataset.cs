using System.Globalization;

namespace PageDb.Benchmarks.Workloads.Data;

/// <summary>
/// W10's data: <see cref="LineItem"/>s over a small <see cref="Part"/> table (one part per 50 lines), each row derived
/// from the seed and its key (SplitMix64), so every engine stores the same rows; and the answer the pricing summary
/// must give, computed here by a plain loop.
/// </summary>
public sealed class LineItemDataset
{
    /// <summary>Lines per part: TPC-H has 30; 50 keeps the dimension table small beside the fact table.</summary>
    public const int LinesPerPart = 50;

    /// <summary>The last ship date (TPC-H's).</summary>
    public const string LastShipDate = "1998-12-01";

    private const ulong LineStream = 10;
    private const ulong PartStream = 11;
    private const string StatusChangeDate = "1995-06-17"; // TPC-H's "current date": lines shipped after it are open
    private static readonly DateOnly FirstShipDate = new(1992, 1, 2);

    /// <summary>Generates <paramref name="lineCount"/> lines and their parts from <paramref name="generator"/>'s seed.</summary>
    public LineItemDataset(DataGenerator generator, int lineCount)
    {
        string[] dates = ShipDates();
        Parts = new Part[Math.Max(1, lineCount / LinesPerPart)];
        for (int i = 0; i < Parts.Length; i++)
            Parts[i] = MakePart(generator.Seed, i + 1);
        LineItems = new LineItem[lineCount];
        for (int i = 0; i < lineCount; i++)
            LineItems[i] = MakeLine(generator.Seed, i + 1, Parts.Length, dates);
    }

    /// <summary>The parts, by key 1..N.</summary>
    public Part[] Parts { get; }

    /// <summary>The lines, by id 1..N.</summary>
    public LineItem[] LineItems { get; }

    /// <summary>What <see cref="IAnalyticsEngine.PricingSummary"/> must return for <paramref name="shipDateCutoff"/>.</summary>
    public PricingSummaryRow[] ExpectedSummary(string shipDateCutoff)
    {
        var groups = new SortedDictionary<(string, string, string), Group>(GroupKeyComparer.Instance);
        foreach (ref readonly LineItem line in LineItems.AsSpan())
        {
            if (string.CompareOrdinal(line.ShipDate, shipDateCutoff) > 0)
                continue;
            var key = (line.ReturnFlag, line.LineStatus, Parts[line.PartKey - 1].Manufacturer);
            if (!groups.TryGetValue(key, out Group? group))
                groups.Add(key, group = new Group());
            group.Add(line);
        }
        return [.. groups.Select(pair => pair.Value.Row(pair.Key))];
    }

    private static string[] ShipDates()
    {
        int days = DateOnly.ParseExact(LastShipDate, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - FirstShipDate.DayNumber + 1;
        var dates = new string[days];
        for (int i = 0; i < days; i++)
            dates[i] = FirstShipDate.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return dates;
    }

    private static Part MakePart(ulong seed, long key)
    {
        var random = new SplitMix64(SplitMix64.Mix(seed ^ PartStream ^ SplitMix64.Mix((ulong)key)));
        long manufacturer = 1 + (long)random.NextBelow(5);
        long brand = 1 + (long)random.NextBelow(5);
        return new Part(key, $"Manufacturer#{manufacturer}", $"Brand#{manufacturer}{brand}", 1 + (long)random.NextBelow(50));
    }

    private static LineItem MakeLine(ulong seed, long id, int parts, string[] dates)
    {
        var random = new SplitMix64(SplitMix64.Mix(seed ^ LineStream ^ SplitMix64.Mix((ulong)id)));
        long quantity = 1 + (long)random.NextBelow(50);
        long partKey = 1 + (long)random.NextBelow((ulong)parts);
        long unitPrice = 90_000 + (long)random.NextBelow(110_000); // 900.00..1,999.99, as TPC-H's retail prices
        string shipDate = dates[random.NextBelow((ulong)dates.Length)];
        bool shipped = string.CompareOrdinal(shipDate, StatusChangeDate) <= 0;
        string returnFlag = shipped ? (random.NextBelow(2) == 0 ? "R" : "A") : "N";
        return new LineItem(id, OrderKey: 1 + (id - 1) / 4, partKey, quantity, quantity * unitPrice,
            Discount: (long)random.NextBelow(11), Tax: (long)random.NextBelow(9), shipDate, returnFlag, shipped ? "F" : "O");
    }

    /// <summary>Running sums of one group.</summary>
    private sealed class Group
    {
        private long _quantity, _price, _discountedPrice, _charge, _discount, _count;

        public void Add(in LineItem line)
        {
            _quantity += line.Quantity;
            _price += line.Price;
            _discountedPrice += line.Price * (100 - line.Discount);
            _charge += line.Price * (100 - line.Discount) * (100 + line.Tax);
            _discount += line.Discount;
            _count++;
        }

        public PricingSummaryRow Row((string Flag, string Status, string Manufacturer) key) => new(
            key.Flag, key.Status, key.Manufacturer, _quantity, _price, _discountedPrice, _charge,
            (double)_quantity / _count, (double)_price / _count, (double)_discount / _count, _count);
    }

    /// <summary>Orders group keys as SQL's <c>ORDER BY</c> on text does in both engines: by code point.</summary>
    private sealed class GroupKeyComparer : IComparer<(string, string, string)>
    {
        public static GroupKeyComparer Instance { get; } = new();

        public int Compare((string, string, string) x, (string, string, string) y)
        {
            int order = string.CompareOrdinal(x.Item1, y.Item1);
            if (order == 0)
                order = string.CompareOrdinal(x.Item2, y.Item2);
            return order != 0 ? order : string.CompareOrdinal(x.Item3, y.Item3);
        }
    }
}
