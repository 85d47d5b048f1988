using System.Globalization;

namespace PageDb.Testing;

/// <summary>
/// Seeds for randomized tests: a fresh one each run, or the one in the environment variable PAGEDB_SEED to replay a
/// failure. Put <see cref="Describe"/> in every assertion message so a failure prints how to replay it.
/// </summary>
internal static class TestSeed
{
    /// <summary>The environment variable that fixes the seed.</summary>
    public const string EnvironmentVariable = "PAGEDB_SEED";

    /// <summary>The seed to use: PAGEDB_SEED when set, otherwise a random one.</summary>
    /// <remarks>Also writes the seed to the test's output, so it is printed even when the test fails by an exception.</remarks>
    public static int Next()
    {
        string? fixedSeed = Environment.GetEnvironmentVariable(EnvironmentVariable);
        int seed = fixedSeed is null
            ? Random.Shared.Next()
            : int.Parse(fixedSeed, NumberStyles.Integer, CultureInfo.InvariantCulture);
        NUnit.Framework.TestContext.Out.WriteLine(Describe(seed));
        return seed;
    }

    /// <summary>A message naming <paramref name="seed"/> and how to replay it.</summary>
    public static string Describe(int seed) => $"seed {seed} (replay with {EnvironmentVariable}={seed})";

    /// <summary>True when the long (soak) variants of tests should run: PAGEDB_LONG=1.</summary>
    public static bool LongRun => Environment.GetEnvironmentVariable("PAGEDB_LONG") == "1";
}
