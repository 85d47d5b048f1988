using PageDb.Benchmarks.Workloads.Data;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>
/// What a run of point lookups saw (W3, W8's readers), cheap enough to gather inside the timed loop: how many ids
/// were found, whether each row had the right id and field lengths, and the sum of the values.
/// </summary>
public readonly record struct LookupTotals(long Found, long Malformed, double SumOfValues)
{
    /// <summary>Looks up every id through <paramref name="reader"/>.</summary>
    public static LookupTotals Measure(IBenchmarkReader reader, long[] ids)
    {
        long found = 0;
        long malformed = 0;
        double sum = 0;
        foreach (long id in ids)
        {
            if (reader.TryGet(id, out BenchRow row))
            {
                found++;
                sum += row.Value;
                if (row.Id != id || row.Name.Length != DataGenerator.NameLength || row.Payload.Length != DataGenerator.PayloadLength)
                {
                    malformed++;
                }
            }
        }
        return new LookupTotals(found, malformed, sum);
    }

    /// <summary>Throws <see cref="VerificationException"/> unless every id was found with the generator's row.</summary>
    public void Verify(SequentialDataset data, long[] ids)
    {
        double expectedSum = 0;
        foreach (long id in ids)
        {
            expectedSum += data.RowOf(id).Value;
        }
        VerificationException.ThrowUnless(Found == ids.Length, $"lookups found {Found:N0} of {ids.Length:N0} stored ids");
        VerificationException.ThrowUnless(Malformed == 0, $"{Malformed:N0} lookups returned a row with the wrong id or field lengths");
        VerificationException.ThrowUnless(SumOfValues == expectedSum, $"lookups' values sum to {SumOfValues:R}, expected {expectedSum:R}");
    }
}
