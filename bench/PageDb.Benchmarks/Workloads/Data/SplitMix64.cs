namespace PageDb.Benchmarks.Workloads.Data;

/// <summary>
/// SplitMix64: a tiny, fast generator whose output depends only on its seed (unlike System.Random, whose seeded
/// sequence is not promised across .NET versions), so every run and every engine sees the same data.
/// </summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A value in [0, <paramref name="bound"/>); the modulo bias is negligible for bench-sized bounds.</summary>
    public ulong NextBelow(ulong bound) => Next() % bound;

    /// <summary>SplitMix64's finaliser: spreads every input bit over the whole output.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
