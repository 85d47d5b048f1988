namespace PageDb.Sql.Tests.Bugs;

/// <summary>
/// The differential test (PAGEDB_SEED=38, query 903) cast t0.d * t0.pk to text with d negative and pk 0: SQLite wrote
/// "0.0", PageDb "-0.0". SQLite's printf takes the sign from value &lt; 0, which is false for negative zero.
/// </summary>
[TestFixture]
public sealed class NegativeZeroAsTextTests : SessionFixture
{
    [TestCase("SELECT CAST(-0.0 AS TEXT)")]
    [TestCase("SELECT CAST(0.0 * -1 AS TEXT)")]
    [TestCase("SELECT -0.0 || ''")]
    public void Negative_zero_prints_as_zero(string sql)
    {
        Assert.That(Session.Execute(sql).Rows[0][0].ToText(), Is.EqualTo("0.0"));
    }
}
