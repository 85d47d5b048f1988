namespace PageDb.Benchmarks.Workloads.Data;

/// <summary>One row of W10's dimension table, a TPC-H <c>part</c> cut down to its key, manufacturer, brand and size.</summary>
/// <param name="PartKey">The primary key, 1..N.</param>
/// <param name="Manufacturer">"Manufacturer#1".."Manufacturer#5".</param>
/// <param name="Brand">"Brand#MN", M the manufacturer's number and N 1..5.</param>
/// <param name="Size">1..50.</param>
public readonly record struct Part(long PartKey, string Manufacturer, string Brand, long Size);
