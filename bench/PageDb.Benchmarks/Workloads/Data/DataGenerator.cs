namespace PageDb.Benchmarks.Workloads.Data;

/// <summary>
/// Makes the rows and keys of every workload from one seed. A row's contents depend only on the seed and its id, so
/// any workload can rebuild, and check, any row.
/// </summary>
public sealed class DataGenerator(ulong seed)
{
    /// <summary>Length of every <see cref="BenchRow.Name"/>.</summary>
    public const int NameLength = 20;

    /// <summary>Length of every <see cref="BenchRow.Payload"/>.</summary>
    public const int PayloadLength = 100;

    private const string NamePrefix = "user_";
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int ValueSteps = 1 << 20; // values are k/1024 for k < 2^20: below 1024, exact sums

    /// <summary>The seed everything is derived from.</summary>
    public ulong Seed { get; } = seed;

    /// <summary>The row stored under <paramref name="id"/>.</summary>
    public BenchRow Row(long id)
    {
        ulong rowSeed = SplitMix64.Mix(Seed ^ SplitMix64.Mix((ulong)id));
        var random = new SplitMix64(rowSeed);
        double value = (double)random.NextBelow(ValueSteps) / 1024;
        string name = string.Create(NameLength, random.Next(), static (chars, nameSeed) =>
        {
            NamePrefix.CopyTo(chars);
            Fill(chars[NamePrefix.Length..], nameSeed);
        });
        string payload = string.Create(PayloadLength, random.Next(), static (chars, payloadSeed) => Fill(chars, payloadSeed));
        return new BenchRow(id, name, value, payload);
    }

    /// <summary>Rows with ids <paramref name="firstId"/>, <paramref name="firstId"/>+1, ... ascending.</summary>
    public BenchRow[] SequentialRows(long firstId, int count)
    {
        var rows = new BenchRow[count];
        for (int i = 0; i < count; i++)
        {
            rows[i] = Row(firstId + i);
        }
        return rows;
    }

    /// <summary>Rows with <paramref name="count"/> distinct random ids over the whole int64 range, in random order.</summary>
    public BenchRow[] RandomKeyRows(int count, ulong stream)
    {
        var random = new SplitMix64(SplitMix64.Mix(Seed ^ stream));
        var seen = new HashSet<long>(count);
        var rows = new BenchRow[count];
        int filled = 0;
        while (filled < count)
        {
            long id = (long)random.Next();
            if (seen.Add(id))
            {
                rows[filled++] = Row(id);
            }
        }
        return rows;
    }

    /// <summary><paramref name="count"/> random ids (repeats allowed) in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public long[] RandomIds(int count, long minInclusive, long maxExclusive, ulong stream)
    {
        var random = new SplitMix64(SplitMix64.Mix(Seed ^ stream));
        ulong span = (ulong)(maxExclusive - minInclusive);
        var ids = new long[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = minInclusive + (long)random.NextBelow(span);
        }
        return ids;
    }

    private static void Fill(Span<char> chars, ulong fillSeed)
    {
        var random = new SplitMix64(fillSeed);
        foreach (ref char c in chars)
        {
            c = Alphabet[(int)random.NextBelow((ulong)Alphabet.Length)];
        }
    }
}
