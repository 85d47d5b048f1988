using PageDb.Sql.Statistics;
using PageDb.Sql.Values;

namespace PageDb.Sql.Tests.Statistics;

/// <summary>
/// ANALYZE stores exact row and NULL counts, min and max, the distinct values and an equi-depth histogram per column in
/// the pagedb_stat table; they survive reopening, are replaced by the next ANALYZE and go with their table's DROP.
/// </summary>
[TestFixture]
public sealed class StatisticsStoreTests : SessionFixture
{
    [SetUp]
    public void SetUp()
    {
        Session.Execute("CREATE TABLE e(id INTEGER PRIMARY KEY, cat INTEGER, code INTEGER, note TEXT)");
        Session.Execute("INSERT INTO e VALUES " + string.Join(", ", Enumerable.Range(0, 400).Select(i =>
            $"({i}, {i % 2}, {i}, {(i % 4 == 0 ? "NULL" : $"'n{i % 10}'")})")));
    }

    private IReadOnlyDictionary<string, ColumnStatistics> Stored()
    {
        using ReadTransaction read = Database.BeginRead();
        return StatisticsStore.Read(read, "e");
    }

    [Test]
    public void Analyze_counts_rows_nulls_distinct_values_and_bounds_exactly()
    {
        Session.Execute("ANALYZE e");
        IReadOnlyDictionary<string, ColumnStatistics> stats = Stored();
        Assert.That(stats.Keys, Is.EquivalentTo(new[] { "id", "cat", "code", "note" }));
        ColumnStatistics note = stats["note"], cat = stats["cat"], code = stats["code"];
        Assert.Multiple(() =>
        {
            Assert.That((note.Rows, note.Nulls, note.Distinct), Is.EqualTo((400L, 100L, 10L)), "n0 to n9");
            Assert.That((note.Min.ToText(), note.Max.ToText()), Is.EqualTo(("n0", "n9")));
            Assert.That((cat.Distinct, cat.Nulls, cat.Min.ToInteger(), cat.Max.ToInteger()), Is.EqualTo((2L, 0L, 0L, 1L)));
            Assert.That((code.Distinct, code.Min.ToInteger(), code.Max.ToInteger()), Is.EqualTo((400L, 0L, 399L)));
        });
    }

    [Test]
    public void The_histogram_has_equal_depth_buckets_in_order()
    {
        Session.Execute("ANALYZE");
        IReadOnlyList<HistogramBucket> buckets = Stored()["code"].Histogram;
        Assert.That(buckets, Has.Count.EqualTo(ColumnStatistics.MaxBuckets));
        for (int i = 0; i < buckets.Count; i++)
        {
            Assert.That((buckets[i].Rows, buckets[i].Distinct, buckets[i].Low.ToInteger(), buckets[i].High.ToInteger()),
                Is.EqualTo((50L, 50L, i * 50L, i * 50L + 49)), $"bucket {i}");
        }
    }

    [Test]
    public void A_second_analyze_replaces_the_statistics_and_drop_removes_only_its_tables()
    {
        Session.Execute("ANALYZE e; DELETE FROM e WHERE id >= 100; ANALYZE e");
        Assert.That(Stored()["code"].Rows, Is.EqualTo(100));
        Assert.That(Stored()["code"].Histogram.Sum(b => b.Rows), Is.EqualTo(100));
        Session.Execute("CREATE TABLE ee(x INTEGER); INSERT INTO ee VALUES (1), (2); ANALYZE ee; DROP TABLE e");
        Assert.That(Stored(), Is.Empty);
        using ReadTransaction read = Database.BeginRead();
        Assert.That(StatisticsStore.Read(read, "ee")["x"].Rows, Is.EqualTo(2), "another table's statistics stay");
    }

    [Test]
    public void The_statistics_table_is_queryable_but_neither_listed_nor_analyzed()
    {
        Session.Execute("ANALYZE; ANALYZE");
        Assert.That(Session.Execute("SELECT count(*) FROM pagedb_stat WHERE tbl = 'e' AND bucket = 0 AND col <> ''").Rows[0][0].ToInteger(), Is.EqualTo(4));
        Assert.That(Session.Execute("SELECT count(*) FROM pagedb_stat WHERE tbl = 'pagedb_stat'").Rows[0][0].ToInteger(), Is.Zero);
        using ReadTransaction read = Database.BeginRead();
        Assert.That(read.TableNames, Does.Contain(StatisticsStore.TableName));
        Assert.That(StatisticsStore.UserTableNames(read), Is.EqualTo(new[] { "e" }));
    }

    [Test]
    public void Analyze_of_an_unknown_table_is_a_sql_error()
    {
        var error = Assert.Throws<SqlException>(() => Session.Execute("ANALYZE nope"));
        Assert.That(error!.Message, Does.Contain("No such table: nope"));
    }

    [Test]
    public void Text_real_and_blob_values_round_trip_through_the_store()
    {
        Session.Execute("CREATE TABLE v(k INTEGER PRIMARY KEY, r REAL, b BLOB, t TEXT); INSERT INTO v VALUES (1, -2.5, x'00ff', 'a:b'), (2, 1e300, x'10', '')");
        Session.Execute("ANALYZE v");
        using ReadTransaction read = Database.BeginRead();
        Dictionary<string, ColumnStatistics> stats = StatisticsStore.Read(read, "v");
        Assert.Multiple(() =>
        {
            Assert.That((stats["r"].Min, stats["r"].Max), Is.EqualTo((SqlValue.FromReal(-2.5), SqlValue.FromReal(1e300))));
            Assert.That((stats["b"].Min, stats["b"].Max), Is.EqualTo((SqlValue.FromBlob([0x00, 0xff]), SqlValue.FromBlob([0x10]))));
            Assert.That((stats["t"].Min, stats["t"].Max), Is.EqualTo((SqlValue.FromText(""), SqlValue.FromText("a:b"))));
        });
    }
}
