namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// The row every engine stores: the key, a ~20-character name, a value, and a 100-character payload.
/// Values are multiples of 1/1024 below 1024, so sums of up to millions of them are exact in any order and engines'
/// totals can be compared with <c>==</c>.
/// </summary>
public readonly record struct BenchRow(long Id, string Name, double Value, string Payload);
