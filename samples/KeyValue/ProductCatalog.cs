namespace PageDb.Samples.KeyValue;

/// <summary>
/// A product catalog as key-value pairs, generated from a fixed seed: keys "category/sku" (say "garden/004211") so the
/// products of one category share a prefix and sort together, values a short text with the price and the stock.
/// Held in a <see cref="SortedDictionary{TKey, TValue}"/> with ordinal order, which for these ASCII keys is the same
/// as the engine's unsigned byte order, so it serves as the model the engine's answers are checked against.
/// </summary>
internal static class ProductCatalog
{
    public static readonly string[] Categories = ["books", "games", "garden", "music", "tools"];

    /// <summary>Generates <paramref name="count"/> distinct products.</summary>
    public static SortedDictionary<string, string> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var products = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int skuRange = Math.Max(count * 2 / Categories.Length, 10);
        while (products.Count < count)
        {
            string key = Key(Categories[random.Next(Categories.Length)], random.Next(skuRange));
            products.TryAdd(key, $"price {random.Next(100, 100_000) / 100m:0.00}, stock {random.Next(500)}");
        }
        return products;
    }

    public static string Key(string category, int sku) => $"{category}/{sku:D6}";
}
