namespace PageDb.Sql.Tests.Statistics;

/// <summary>
/// An equality between two tables' columns lets the inner table be read by key once per outer row (a join lookup),
/// and with ANALYZE's statistics the planner joins the table expected to give the fewest rows first, so the same query
/// changes its join order when the data, and so the statistics, change; the rows stay the same as in FROM order.
/// </summary>
[TestFixture]
public sealed class JoinOrderTests : SessionFixture
{
    private const string Query = "SELECT o.id FROM o, c WHERE o.customer = c.id AND c.region = 3 ORDER BY o.id";
    private const string OrdersDrive = "SCAN o,JOIN SEARCH c USING PRIMARY KEY (id=?) (checking 2 conditions),SORT BY 1 key";
    private const string CustomersDrive = "SEARCH c USING INDEX c_region (region=?) (checking 1 condition),JOIN SEARCH o USING INDEX o_customer (customer=?) (checking 1 condition),SORT BY 1 key";

    [SetUp]
    public void SetUp()
    {
        Session.Execute("CREATE TABLE c(id INTEGER PRIMARY KEY, region INTEGER); CREATE INDEX c_region ON c(region)");
        Session.Execute("CREATE TABLE o(id INTEGER PRIMARY KEY, customer INTEGER, amount INTEGER); CREATE INDEX o_customer ON o(customer)");
        Session.Execute("INSERT INTO c VALUES " + string.Join(", ", Enumerable.Range(0, 100).Select(i => $"({i}, {i % 10})")));
        Session.Execute("INSERT INTO o VALUES " + string.Join(", ", Enumerable.Range(0, 300).Select(i => $"({i}, {i % 100}, {i % 7})")));
    }

    private string Plan(string sql) => string.Join(",", Session.Execute("EXPLAIN " + sql).Rows.Select(r => r[0].ToText()));

    private string Ids(string sql) => string.Join(",", Session.Execute(sql).Rows.Select(r => r[0].ToText()));

    [Test]
    public void Statistics_make_the_selective_table_drive_and_the_order_follows_the_data()
    {
        string regionThree = string.Join(",", Enumerable.Range(0, 300).Where(i => i % 10 == 3));
        Assert.That(Plan(Query), Is.EqualTo(OrdersDrive), "without statistics, FROM order with a lookup into c");
        Assert.That(Ids(Query), Is.EqualTo(regionThree));

        Session.Execute("ANALYZE");
        Assert.That(Plan(Query), Is.EqualTo(CustomersDrive), "10 customers of region 3 drive; 300 orders do not");
        Assert.That(Plan(Query.Replace("FROM o, c", "FROM c, o", StringComparison.Ordinal)), Is.EqualTo(CustomersDrive), "whatever the FROM order");
        Assert.That(Ids(Query), Is.EqualTo(regionThree));

        Session.Execute("UPDATE c SET region = 3; INSERT INTO c VALUES " + string.Join(", ", Enumerable.Range(100, 900).Select(i => $"({i}, 3)")));
        Session.Execute("ANALYZE");
        Assert.That(Plan(Query), Is.EqualTo(OrdersDrive), "now region 3 holds 1,000 customers and the 300 orders drive");
        Assert.That(Ids(Query), Is.EqualTo(string.Join(",", Enumerable.Range(0, 300))));
    }

    [Test]
    public void The_join_order_follows_inserts_and_deletes_made_after_ANALYZE()
    {
        string regionThree = string.Join(",", Enumerable.Range(0, 300).Where(i => i % 10 == 3));
        Session.Execute("ANALYZE");
        Assert.That(Plan(Query), Is.EqualTo(CustomersDrive));

        Session.Execute(ManyCustomers);
        Assert.That(Plan(Query), Is.EqualTo(OrdersDrive), "5,000 customers: region 3 is estimated at 500 of them, against 300 orders");
        Assert.That(Ids(Query), Is.EqualTo(regionThree));

        Session.Execute("DELETE FROM c WHERE id >= 100");
        Assert.That(Plan(Query), Is.EqualTo(CustomersDrive), "back to 100 customers");
        Assert.That(Ids(Query), Is.EqualTo(regionThree));
    }

    [Test]
    public void A_prepared_query_is_planned_again_when_an_analyzed_table_grows_past_a_power_of_two()
    {
        string regionThree = string.Join(",", Enumerable.Range(0, 300).Where(i => i % 10 == 3));
        Session.Execute("ANALYZE");
        PreparedStatement query = SqlSession.Prepare(Query);
        Session.Execute(query);
        Session.Execute("INSERT INTO c VALUES (5000, 3)");
        Assert.That(string.Join(",", Session.Execute(query).Rows.Select(r => r[0].ToText())), Is.EqualTo(regionThree));
        Assert.That(query.Plans[0].Compilations, Is.EqualTo(1), "101 rows: still between 64 and 128");

        Session.Execute(ManyCustomers);
        Assert.That(string.Join(",", Session.Execute(query).Rows.Select(r => r[0].ToText())), Is.EqualTo(regionThree));
        Assert.That(query.Plans[0].Compilations, Is.EqualTo(2));
    }

    [Test]
    public void Statistics_of_a_table_analyzed_empty_are_not_used_once_it_has_rows()
    {
        Session.Execute("DELETE FROM c; ANALYZE; INSERT INTO c VALUES " + string.Join(", ", Enumerable.Range(0, 100).Select(i => $"({i}, {i % 10})")));
        Assert.That(Plan(Query), Is.EqualTo(OrdersDrive), "FROM order, as without statistics: an empty table's say nothing of its rows");
    }

    [Test]
    public void Tables_before_a_LEFT_join_are_ordered_and_the_LEFT_join_keeps_its_place()
    {
        Session.Execute("CREATE TABLE n(id INTEGER PRIMARY KEY, note TEXT)");
        Session.Execute("INSERT INTO n VALUES " + string.Join(", ", Enumerable.Range(0, 5).Select(i => $"({i}, 'note {i}')")));
        const string Sql = "SELECT o.id, n.note FROM o, c LEFT JOIN n ON n.id = o.amount WHERE o.customer = c.id AND c.region = 3 ORDER BY o.id";
        string fromOrder = Ids(Sql.Replace("o.id, n.note", "o.id || ':' || coalesce(n.note, '-')", StringComparison.Ordinal));
        Session.Execute("ANALYZE");
        Assert.That(Plan(Sql), Is.EqualTo(
            "SEARCH c USING INDEX c_region (region=?) (checking 1 condition),JOIN SEARCH o USING INDEX o_customer (customer=?) (checking 1 condition)," +
            "LEFT JOIN SCAN n INTO HASH TABLE ON 1 key (checking 1 condition),SORT BY 1 key"), "c drives, o is looked up, n stays last");
        Assert.That(Ids(Sql.Replace("o.id, n.note", "o.id || ':' || coalesce(n.note, '-')", StringComparison.Ordinal)), Is.EqualTo(fromOrder));
        Assert.That(fromOrder, Does.Contain("3:note 3,13:-,23:note 2"), "amounts 0-4 have a note, 5 and 6 none");
    }

    [Test]
    public void A_large_table_nothing_narrows_streams_past_a_small_one_hashed()
    {
        Session.Execute("CREATE TABLE big(id INTEGER PRIMARY KEY, k INTEGER, v INTEGER); CREATE TABLE small(id INTEGER PRIMARY KEY, k INTEGER, name TEXT)");
        Session.Execute("INSERT INTO big VALUES " + string.Join(", ", Enumerable.Range(0, 2000).Select(i => $"({i}, {i % 25}, {i % 7})")));
        Session.Execute("INSERT INTO small VALUES " + string.Join(", ", Enumerable.Range(0, 20).Select(i => $"({i}, {i}, 'n{i % 4}')")));
        const string Sql = "SELECT small.name, count(*), sum(big.v) FROM small JOIN big ON big.k = small.k GROUP BY small.name";
        string Rows() => string.Join(",", Session.Execute(Sql).Rows.Select(r => string.Join("|", r.Select(v => v.ToText()))));
        string fromOrder = Rows();
        Assert.That(Plan(Sql), Is.EqualTo("SCAN small,JOIN SCAN big INTO HASH TABLE ON 1 key (checking 1 condition),GROUP BY 1 key, 2 aggregates"),
            "without statistics, FROM order: the large table is hashed");
        Session.Execute("ANALYZE");
        Assert.That(Plan(Sql), Is.EqualTo("SCAN big,JOIN SCAN small INTO HASH TABLE ON 1 key (checking 1 condition),GROUP BY 1 key, 2 aggregates"),
            "with them, the 2,000 rows stream past the 20 hashed");
        Assert.That(Rows(), Is.EqualTo(fromOrder));
        Assert.That(fromOrder, Is.EqualTo("n0|400|1202,n1|400|1203,n2|400|1197,n3|400|1198"));
    }

    /// <summary>Customers 100..4,999, 10% in each region; no order names them, so the query's rows stay the same.</summary>
    private static string ManyCustomers =>
        "INSERT INTO c VALUES " + string.Join(", ", Enumerable.Range(100, 4_900).Select(i => $"({i}, {i % 10})"));

    [TestCase("SELECT c.id, o.id FROM c LEFT JOIN o ON o.customer = c.id WHERE c.id < 2 ORDER BY 1, 2", "0|0,0|100,0|200,1|1,1|101,1|201")]
    [TestCase("SELECT count(*) FROM o JOIN c USING (id) WHERE c.region = 3", "10")]
    [TestCase("SELECT count(*) FROM o, c WHERE c.id = o.customer + 0.5", "0")]
    [TestCase("SELECT count(*) FROM o, c AS c2, c WHERE o.customer = c.id AND c2.id = c.region", "300")]
    public void Joins_with_statistics_find_what_FROM_order_finds(string sql, string expected)
    {
        string Rows() => string.Join(",", Session.Execute(sql).Rows.Select(r => string.Join("|", r.Select(v => v.ToText()))));
        Assert.That(Rows(), Is.EqualTo(expected), "FROM order");
        Session.Execute("ANALYZE");
        Assert.That(Rows(), Is.EqualTo(expected), "after ANALYZE");
    }
}
