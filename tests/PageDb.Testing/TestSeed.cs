namespace PageDb.Testing;

/// <summary>
/// Seeds for randomized tests: a fresh one each run, or the one in the environment variable PAGEDB_SEED to replay a
/// failure. Tests put the seed in every assertion message.
/// </summary>
public static class TestSeed
{
    /// <summary>The seed to use: PAGEDB_SEED when set, else a new random one.</summary>
    public static int Next()
    {
        string? fixedSeed = Environment.GetEnvironmentVariable("PAGEDB_SEED");
        return fixedSeed is not null
            ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture)
            : Random.Shared.Next();
    }

    /// <summary>True when the long (soak) variants of tests should run: PAGEDB_LONG=1.</summary>
    public static bool IsLongRun => Environment.GetEnvironmentVariable("PAGEDB_LONG") == "1";
}
