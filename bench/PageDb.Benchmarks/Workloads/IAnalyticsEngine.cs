using PageDb.Benchmarks.Workloads.Data;

namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// An engine that can run W10's analytical query: a TPC-H Q1-like group-by over a <c>lineitem</c> table joined with a
/// small <c>part</c> table. Engines without a query language (or without an adapter for it) get no W10 number.
/// </summary>
/// <remarks>Called from one thread, on an engine opened on a fresh folder.</remarks>
public interface IAnalyticsEngine
{
    /// <summary>
    /// Creates <c>part(partkey INTEGER PRIMARY KEY, mfgr TEXT, brand TEXT, size INTEGER)</c> and
    /// <c>lineitem(id INTEGER PRIMARY KEY, orderkey, partkey, quantity, price, discount, tax INTEGER, shipdate,
    /// returnflag, linestatus TEXT)</c>, all columns NOT NULL, and inserts <paramref name="data"/> into them in one
    /// transaction.
    /// </summary>
    void LoadLineItems(LineItemDataset data);

    /// <summary>
    /// Runs, as one read transaction, the pricing summary of the lines shipped on or before
    /// <paramref name="shipDateCutoff"/> (ISO text), by return flag, line status and the part's manufacturer, in
    /// that order (see <see cref="PricingSummaryRow"/> for the columns).
    /// </summary>
    IReadOnlyList<PricingSummaryRow> PricingSummary(string shipDateCutoff);
}
