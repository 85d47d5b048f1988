namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// One group of W10's answer (see <see cref="IAnalyticsEngine.PricingSummary"/>). The sums are exact integers and the
/// averages an exact sum divided by the count, so two right answers are equal with <c>==</c>.
/// </summary>
/// <param name="ReturnFlag">Group key: the line's return flag.</param>
/// <param name="LineStatus">Group key: the line's status.</param>
/// <param name="Manufacturer">Group key: the manufacturer of the line's part.</param>
/// <param name="SumQuantity"><c>sum(quantity)</c>.</param>
/// <param name="SumBasePrice"><c>sum(price)</c>, cents.</param>
/// <param name="SumDiscountedPrice"><c>sum(price * (100 - discount))</c>, cents x 100.</param>
/// <param name="SumCharge"><c>sum(price * (100 - discount) * (100 + tax))</c>, cents x 10,000.</param>
/// <param name="AverageQuantity"><c>avg(quantity)</c>.</param>
/// <param name="AveragePrice"><c>avg(price)</c>.</param>
/// <param name="AverageDiscount"><c>avg(discount)</c>.</param>
/// <param name="Count"><c>count(*)</c>.</param>
public readonly record struct PricingSummaryRow(
    string ReturnFlag, string LineStatus, string Manufacturer,
    long SumQuantity, long SumBasePrice, long SumDiscountedPrice, long SumCharge,
    double AverageQuantity, double AveragePrice, double AverageDiscount, long Count);
