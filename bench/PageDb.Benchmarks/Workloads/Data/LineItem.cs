namespace PageDb.Benchmarks.Workloads.Data;

/// <summary>
/// One row of W10's fact table, a TPC-H <c>lineitem</c> cut down to what its pricing-summary query reads. Money is in
/// cents and rates in whole percent, as integers, so every sum the query takes is exact in any order and every engine
/// must give the same bits.
/// </summary>
/// <param name="Id">The primary key, 1..N.</param>
/// <param name="OrderKey">The order the line belongs to (about four lines per order).</param>
/// <param name="PartKey">The <see cref="Part"/> sold, 1..parts.</param>
/// <param name="Quantity">1..50.</param>
/// <param name="Price">The extended price in cents.</param>
/// <param name="Discount">0..10 percent.</param>
/// <param name="Tax">0..8 percent.</param>
/// <param name="ShipDate">ISO date text, 1992-01-02..1998-12-01 (compared as text, as SQLite applications store dates).</param>
/// <param name="ReturnFlag">"R" or "A" for lines shipped by 1995-06-17, "N" after.</param>
/// <param name="LineStatus">"F" for lines shipped by 1995-06-17, "O" after.</param>
public readonly record struct LineItem(
    long Id, long OrderKey, long PartKey, long Quantity, long Price, long Discount, long Tax,
    string ShipDate, string ReturnFlag, string LineStatus);
