namespace PageDb.Sql.Tests;

/// <summary>
/// WHERE conditions on the primary key or a secondary index's leading columns read the table through that key: the
/// rows must be exactly those a scan would give (in the scan's order), whatever the value's type (the comparison's
/// conversions), with NULLs and duplicates in IN lists, and EXPLAIN names the key chosen and the columns it fixes.
/// A key read in order (forwards, or backwards for DESC) serves ORDER BY with the rows a stable sort would give.
/// </summary>
[TestFixture]
public sealed class TableAccessTests : SessionFixture
{
    [SetUp]
    public void SetUp()
    {
        Session.Execute("CREATE TABLE i(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE t(name TEXT PRIMARY KEY, n INTEGER); CREATE TABLE r(x REAL PRIMARY KEY)");
        Session.Execute("INSERT INTO i VALUES (1, 'a'), (3, 'c'), (5, 'e'); INSERT INTO t VALUES ('5', 5), ('x', 0); INSERT INTO r VALUES (2.0), (2.5)");
        Session.Execute("CREATE TABLE s(k INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT); CREATE INDEX s_a ON s(a); CREATE INDEX s_ab ON s(a, b); CREATE INDEX s_c ON s(c)");
        Session.Execute("INSERT INTO s VALUES (1, 10, 1.5, 'p'), (2, 20, 2.5, 'q'), (3, 10, 0.5, 'r'), (4, NULL, 3.0, NULL), (5, 30, -1.0, 'p'), (6, 20, NULL, 'Q'), (7, -5, 0.0, '10')");
        Session.Execute("CREATE TABLE n(a INTEGER, b TEXT); CREATE INDEX n_a ON n(a); INSERT INTO n VALUES (3, 'x'), (1, 'y'), (3, 'z'), (NULL, 'w'), (2, 'v')");
        Session.Execute("CREATE TABLE o(id INTEGER PRIMARY KEY, g INTEGER NOT NULL, x REAL NOT NULL, t TEXT); CREATE INDEX o_gx ON o(g, x); CREATE INDEX o_x ON o(x)");
        Session.Execute("INSERT INTO o VALUES (1, 2, 0.5, 'a'), (2, 1, 3.0, 'b'), (3, 2, -1.0, 'c'), (4, 3, 0.5, 'd'), (5, 1, 0.5, 'e'), (6, 2, 0.5, 'f')");
        Session.Execute("CREATE TABLE w(a INTEGER NOT NULL, b TEXT); CREATE INDEX w_a ON w(a); INSERT INTO w VALUES (2, 'p'), (1, 'q'), (2, 'r'), (0, 's'), (1, 't')");
        Session.Execute("CREATE TABLE u(k INTEGER PRIMARY KEY, s TEXT); CREATE INDEX u_s ON u(s); INSERT INTO u VALUES (1, 'a'), (2, 'a\U0001F600'), (3, 'b'), (4, 'a\uE000')");
    }

    private string Query(string sql) =>
        string.Join(",", Session.Execute(sql).Rows.Select(r => string.Join("|", r.Select(v => v.ToString()))));

    [TestCase("SELECT id FROM i WHERE id = 3", "3")]
    [TestCase("SELECT id FROM i WHERE 3 = id", "3")]
    [TestCase("SELECT id FROM i WHERE id = '5'", "5")]
    [TestCase("SELECT id FROM i WHERE id = 5.0", "5")]
    [TestCase("SELECT id FROM i WHERE id = 5.5", "")]
    [TestCase("SELECT id FROM i WHERE id = 'x'", "")]
    [TestCase("SELECT id FROM i WHERE id = NULL", "")]
    [TestCase("SELECT id FROM i WHERE id IN (5, NULL, 1, 5, 4)", "1,5")]
    [TestCase("SELECT id FROM i WHERE id IN ('3', 'x')", "3")]
    [TestCase("SELECT name FROM t WHERE name = 5", "5")]
    [TestCase("SELECT x FROM r WHERE x = 2", "2.0")]
    [TestCase("SELECT i.v, t.n FROM i, t WHERE i.id = 5 AND t.name = i.v || ''", "")]
    [TestCase("SELECT i.v FROM i WHERE i.id = (SELECT max(n) FROM t)", "e")]
    [TestCase("SELECT (SELECT v FROM i WHERE id = t.n) FROM t ORDER BY name", "e,NULL")]
    public void A_key_lookup_finds_what_a_scan_finds(string sql, string expected) => Assert.That(Query(sql), Is.EqualTo(expected));

    // A read of a snapshot decodes the key only where the query reads it: not for a condition the read guarantees, nor
    // for an ORDER BY the key order serves; a condition it does not guarantee, an output or a descending order reads it.
    [TestCase("SELECT v FROM i WHERE id >= 3 AND id < 6 ORDER BY id", "c,e")]
    [TestCase("SELECT v FROM i WHERE id >= 1 AND id % 3 <> 0 ORDER BY id", "a,e")]
    [TestCase("SELECT v, id FROM i WHERE id > 1 ORDER BY id", "c|3,e|5")]
    [TestCase("SELECT v FROM i WHERE id > 1 ORDER BY id DESC", "e,c")]
    [TestCase("SELECT v FROM i WHERE id < 'x' ORDER BY id", "a,c,e")]
    [TestCase("SELECT v FROM i ORDER BY id", "a,c,e")]
    [TestCase("SELECT n FROM t WHERE name >= '5' ORDER BY name", "5,0")]
    public void A_key_read_decodes_the_key_only_where_the_query_reads_it(string sql, string expected) => Assert.That(Query(sql), Is.EqualTo(expected));

    [TestCase("SELECT id FROM i WHERE id > 1", "3,5")]
    [TestCase("SELECT id FROM i WHERE id >= 3 AND id < 5", "3")]
    [TestCase("SELECT id FROM i WHERE id BETWEEN 2 AND 5", "3,5")]
    [TestCase("SELECT id FROM i WHERE id > 2.5", "3,5")]
    [TestCase("SELECT id FROM i WHERE id < '4'", "1,3")]
    [TestCase("SELECT id FROM i WHERE id < 'x'", "1,3,5")]
    [TestCase("SELECT id FROM i WHERE id > NULL", "")]
    [TestCase("SELECT k FROM s WHERE a = 10", "1,3")]
    [TestCase("SELECT k FROM s WHERE a = '20'", "2,6")]
    [TestCase("SELECT k FROM s WHERE a > 10", "2,5,6")]
    [TestCase("SELECT k FROM s WHERE a < 15", "1,3,7")]
    [TestCase("SELECT k FROM s WHERE a >= 10.5", "2,5,6")]
    [TestCase("SELECT k FROM s WHERE a BETWEEN -5 AND 10", "1,3,7")]
    [TestCase("SELECT k FROM s WHERE a IN (30, 10, NULL)", "1,3,5")]
    [TestCase("SELECT k FROM s WHERE a = 10 AND b > 1", "1")]
    [TestCase("SELECT k FROM s WHERE a = 20 AND b <= 2.5", "2")]
    [TestCase("SELECT k FROM s WHERE a IN (10, 20) AND b < 2", "1,3")]
    [TestCase("SELECT k FROM s WHERE b > 0", "1,2,3,4")]
    [TestCase("SELECT k FROM s WHERE c = 'p'", "1,5")]
    [TestCase("SELECT k FROM s WHERE c > 'P'", "1,2,3,5,6")]
    [TestCase("SELECT k FROM s WHERE c = 10", "7")]
    [TestCase("SELECT k FROM s WHERE c < 2", "7")]
    [TestCase("SELECT k FROM s WHERE c BETWEEN 'Q' AND 'q'", "1,2,5,6")]
    [TestCase("SELECT k FROM s WHERE a = b", "")]
    [TestCase("SELECT s.k FROM s, i WHERE s.a = i.id * 10 AND i.id = 1", "1,3")]
    [TestCase("SELECT (SELECT count(*) FROM s WHERE s.a > i.id * 10) FROM i", "3,0,0")]
    [TestCase("SELECT b FROM n WHERE a >= 2", "x,z,v")]
    [TestCase("SELECT b FROM n WHERE a IN (3, 1)", "x,y,z")]
    public void An_index_range_finds_what_a_scan_finds_in_the_scans_order(string sql, string expected) =>
        Assert.That(Query(sql), Is.EqualTo(expected));

    [TestCase("SELECT v FROM i WHERE id IN (1, 3) ORDER BY v", "SEARCH i USING PRIMARY KEY (id IN (2 values)),SORT BY 1 key")]
    [TestCase("SELECT count(*) FROM i AS a, t WHERE a.v = t.name GROUP BY t.n", "SCAN i AS a,JOIN SEARCH t USING PRIMARY KEY (name=?) (checking 1 condition),GROUP BY 1 key, 1 aggregates")]
    [TestCase("SELECT v FROM i WHERE id > 1 AND id <= 4", "SEARCH i USING PRIMARY KEY (? < id <= ?)")]
    [TestCase("SELECT k FROM s WHERE a = 10", "SEARCH s USING INDEX s_a (a=?) (checking 1 condition)")]
    [TestCase("SELECT k FROM s WHERE a = 10 AND b BETWEEN 1 AND 2", "SEARCH s USING INDEX s_ab (a=? AND ? <= b <= ?) (checking 2 conditions)")]
    [TestCase("SELECT k FROM s WHERE c > 'a' AND a = 10", "SEARCH s USING INDEX s_a (a=?) (checking 2 conditions)")]
    [TestCase("SELECT k FROM s WHERE c > 'a' AND c < 'z' AND a < 10", "SEARCH s USING INDEX s_c (? < c < ?) (checking 3 conditions)")]
    [TestCase("SELECT k FROM s WHERE k = 2 AND a = 10", "SEARCH s USING PRIMARY KEY (k=?) (checking 1 condition)")]
    [TestCase("SELECT k FROM s WHERE a IN (1, 2) AND b < 0", "SEARCH s USING INDEX s_ab (a IN (2 values) AND b < ?) (checking 2 conditions)")]
    [TestCase("SELECT k FROM s WHERE b = 1.5", "SCAN s (checking 1 condition)")]
    [TestCase("SELECT k FROM s WHERE a = 1 OR a = 2", "SCAN s (checking 1 condition)")]
    [TestCase("SELECT k FROM s WHERE a <> 1", "SCAN s (checking 1 condition)")]
    [TestCase("SELECT k FROM s WHERE a = CAST(c AS INTEGER)", "SCAN s (checking 1 condition)")]
    [TestCase("SELECT i.id FROM i LEFT JOIN s ON s.k = i.id WHERE s.a = 10", "SCAN i,LEFT JOIN SCAN s INTO HASH TABLE ON 1 key (checking 2 conditions)")]
    public void Explain_shows_the_access_chosen(string sql, string expected) => Assert.That(Query("EXPLAIN " + sql), Is.EqualTo(expected));

    // A condition the primary key read guarantees is not checked again; one it cannot (a real key, a value with an
    // affinity of its own, a join lookup, a second bound on the column) still is.
    [TestCase("SELECT v FROM i WHERE id >= ? AND id < ?", "SEARCH i USING PRIMARY KEY (? <= id < ?)")]
    [TestCase("SELECT v FROM i WHERE id BETWEEN 2 AND 4 AND v > 'a'", "SEARCH i USING PRIMARY KEY (? <= id <= ?) (checking 1 condition)")]
    [TestCase("SELECT v FROM i WHERE id > 1 AND id > 2", "SEARCH i USING PRIMARY KEY (? < id) (checking 1 condition)")]
    [TestCase("SELECT n FROM t WHERE name < 'x'", "SEARCH t USING PRIMARY KEY (name < ?)")]
    [TestCase("SELECT x FROM r WHERE x > 1", "SEARCH r USING PRIMARY KEY (? < x) (checking 1 condition)")]
    [TestCase("SELECT v FROM i WHERE id = CAST('3' AS INTEGER)", "SEARCH i USING PRIMARY KEY (id=?) (checking 1 condition)")]
    [TestCase("SELECT k FROM s WHERE a = 10 AND k = 1", "SEARCH s USING PRIMARY KEY (k=?) (checking 1 condition)")]
    public void Explain_drops_the_conditions_the_key_read_guarantees(string sql, string expected) => Assert.That(Query("EXPLAIN " + sql), Is.EqualTo(expected));

    // The same conditions with values that do not fit the key: the table is scanned and the read checks them itself.
    [TestCase("SELECT id FROM i WHERE id >= 2.5 AND id < 5", "3")]
    [TestCase("SELECT id FROM i WHERE id > 0.5 AND id <= 'x'", "1,3,5")]
    [TestCase("SELECT id FROM i WHERE id >= 1 AND id < 4.5", "1,3")]
    [TestCase("SELECT id FROM i WHERE id IN (3, 'a', 5.0, 1.5)", "3,5")]
    [TestCase("SELECT id FROM i WHERE id = 'x'", "")]
    [TestCase("SELECT id FROM i WHERE id BETWEEN x'00' AND 9", "")]
    [TestCase("SELECT name FROM t WHERE name >= x'35'", "")]
    [TestCase("SELECT id FROM i WHERE id > 1 ORDER BY id DESC", "5,3")]
    [TestCase("SELECT id FROM i WHERE id < 4.5 ORDER BY id DESC", "3,1")]
    public void A_guaranteeing_read_whose_value_does_not_fit_the_key_keeps_only_the_rows_its_conditions_accept(string sql, string expected) =>
        Assert.That(Query(sql), Is.EqualTo(expected));

    [TestCase("SELECT k FROM s ORDER BY k", "SCAN s,ORDER BY PRIMARY KEY (no sort)")]
    [TestCase("SELECT k AS x FROM s WHERE a > 5 ORDER BY x LIMIT 2", "SEARCH s USING INDEX s_a (? < a) (checking 1 condition),ORDER BY PRIMARY KEY (no sort),LIMIT")]
    [TestCase("SELECT c, k FROM s ORDER BY 2", "SCAN s,ORDER BY PRIMARY KEY (no sort)")]
    [TestCase("SELECT k FROM s ORDER BY k DESC", "SCAN s USING PRIMARY KEY,ORDER BY PRIMARY KEY DESC (no sort)")]
    [TestCase("SELECT k FROM s WHERE a > 5 ORDER BY k DESC", "SEARCH s USING INDEX s_a (? < a) (checking 1 condition),ORDER BY PRIMARY KEY DESC (no sort)")]
    [TestCase("SELECT DISTINCT k FROM s ORDER BY k DESC", "SCAN s,DISTINCT,SORT BY 1 key")]
    [TestCase("SELECT k FROM s ORDER BY k, a", "SCAN s,SORT BY 2 keys")]
    [TestCase("SELECT name FROM t ORDER BY name", "SCAN t,ORDER BY PRIMARY KEY (no sort)")]
    [TestCase("SELECT name FROM t ORDER BY name DESC", "SCAN t USING PRIMARY KEY,ORDER BY PRIMARY KEY DESC (no sort)")]
    [TestCase("SELECT count(*) FROM s GROUP BY k ORDER BY k", "SCAN s,GROUP BY 1 key, 1 aggregates,SORT BY 1 key")]
    [TestCase("SELECT s.k FROM s, i WHERE s.k = i.id ORDER BY s.k", "SCAN s,JOIN SEARCH i USING PRIMARY KEY (id=?) (checking 1 condition),SORT BY 1 key")]
    public void Explain_shows_when_the_primary_key_gives_the_order(string sql, string expected) =>
        Assert.That(Query("EXPLAIN " + sql), Is.EqualTo(expected));

    [TestCase("SELECT k FROM s WHERE a >= 10 ORDER BY k", "1,2,3,5,6")]
    [TestCase("SELECT k FROM s WHERE c IN ('r', 'p', '10') ORDER BY k", "1,3,5,7")]
    [TestCase("SELECT k FROM s WHERE b BETWEEN -1 AND 1 ORDER BY k LIMIT 2 OFFSET 1", "5,7")]
    public void Rows_in_key_order_need_no_sort(string sql, string expected) => Assert.That(Query(sql), Is.EqualTo(expected));

    [TestCase("SELECT id FROM o ORDER BY x", "SCAN o USING INDEX o_x,ORDER BY INDEX o_x (no sort)")]
    [TestCase("SELECT id FROM o ORDER BY g, x", "SCAN o USING INDEX o_gx,ORDER BY INDEX o_gx (no sort)")]
    [TestCase("SELECT id FROM o WHERE g = 2 ORDER BY x", "SEARCH o USING INDEX o_gx (g=?) (checking 1 condition),ORDER BY INDEX o_gx (no sort)")]
    [TestCase("SELECT id FROM o WHERE g = 2 ORDER BY g, x", "SEARCH o USING INDEX o_gx (g=?) (checking 1 condition),ORDER BY INDEX o_gx (no sort)")]
    [TestCase("SELECT id FROM o WHERE g IN (1, 2) ORDER BY g, x", "SEARCH o USING INDEX o_gx (g IN (2 values)) (checking 1 condition),ORDER BY INDEX o_gx (no sort)")]
    [TestCase("SELECT id FROM o WHERE x > 0 ORDER BY x", "SEARCH o USING INDEX o_x (? < x) (checking 1 condition),ORDER BY INDEX o_x (no sort)")]
    [TestCase("SELECT id FROM o WHERE g IN (1, 2) ORDER BY x", "SEARCH o USING INDEX o_gx (g IN (2 values)) (checking 1 condition),SORT BY 1 key")]
    [TestCase("SELECT id FROM o ORDER BY g", "SCAN o,SORT BY 1 key")]
    [TestCase("SELECT b FROM w ORDER BY a", "SCAN w USING INDEX w_a,ORDER BY INDEX w_a (no sort)")]
    [TestCase("SELECT id FROM o ORDER BY x DESC", "SCAN o USING INDEX o_x,ORDER BY INDEX o_x DESC (no sort)")]
    [TestCase("SELECT id FROM o ORDER BY x DESC NULLS FIRST", "SCAN o USING INDEX o_x,ORDER BY INDEX o_x DESC (no sort)")]
    [TestCase("SELECT id FROM o WHERE g = 2 ORDER BY x DESC", "SEARCH o USING INDEX o_gx (g=?) (checking 1 condition),ORDER BY INDEX o_gx DESC (no sort)")]
    [TestCase("SELECT id FROM o ORDER BY g, x DESC", "SCAN o,SORT BY 2 keys")]
    [TestCase("SELECT a FROM n ORDER BY a", "SCAN n USING INDEX n_a,ORDER BY INDEX n_a (no sort)")]
    [TestCase("SELECT a FROM n ORDER BY a NULLS FIRST", "SCAN n USING INDEX n_a,ORDER BY INDEX n_a (no sort)")]
    [TestCase("SELECT a FROM n ORDER BY a DESC NULLS LAST", "SCAN n USING INDEX n_a,ORDER BY INDEX n_a DESC (no sort)")]
    [TestCase("SELECT a FROM n ORDER BY a NULLS LAST", "SCAN n,SORT BY 1 key")]
    [TestCase("SELECT a FROM n ORDER BY a DESC NULLS FIRST", "SCAN n,SORT BY 1 key")]
    [TestCase("SELECT k FROM s ORDER BY a", "SCAN s USING INDEX s_a,ORDER BY INDEX s_a (no sort)")]
    [TestCase("SELECT k FROM s ORDER BY c DESC", "SCAN s USING INDEX s_c,ORDER BY INDEX s_c DESC (no sort)")]
    [TestCase("SELECT k FROM s WHERE c > 'a' ORDER BY c", "SEARCH s USING INDEX s_c (? < c) (checking 1 condition),ORDER BY INDEX s_c (no sort)")]
    [TestCase("SELECT DISTINCT x FROM o ORDER BY x", "SCAN o,DISTINCT,SORT BY 1 key")]
    [TestCase("SELECT o.id FROM o, i WHERE o.g = i.id ORDER BY o.x", "SCAN o,JOIN SEARCH i USING PRIMARY KEY (id=?) (checking 1 condition),SORT BY 1 key")]
    public void Explain_shows_when_a_secondary_index_gives_the_order(string sql, string expected) =>
        Assert.That(Query("EXPLAIN " + sql), Is.EqualTo(expected));

    [TestCase("SELECT id FROM o ORDER BY x", "3,1,4,5,6,2")]
    [TestCase("SELECT id FROM o ORDER BY g, x", "5,2,3,1,6,4")]
    [TestCase("SELECT id FROM o WHERE g = 2 ORDER BY x", "3,1,6")]
    [TestCase("SELECT id FROM o WHERE g IN (2, 1) ORDER BY g, x", "5,2,3,1,6")]
    [TestCase("SELECT id FROM o WHERE x >= 0.5 ORDER BY x LIMIT 3", "1,4,5")]
    [TestCase("SELECT id FROM o WHERE g > 1.5 ORDER BY g, x", "3,1,6,4")]
    [TestCase("SELECT id FROM o WHERE g = 2.5 ORDER BY x", "")]
    [TestCase("SELECT b FROM w ORDER BY a", "s,q,t,p,r")]
    [TestCase("SELECT b FROM w WHERE a >= 1 ORDER BY a", "q,t,p,r")]
    [TestCase("SELECT b FROM w ORDER BY a DESC", "p,r,q,t,s")]
    [TestCase("SELECT id FROM o ORDER BY x DESC", "2,1,4,5,6,3")]
    [TestCase("SELECT id FROM o WHERE g IN (2, 1) ORDER BY g DESC, x DESC", "1,6,3,2,5")]
    [TestCase("SELECT id FROM o WHERE g > 1.5 ORDER BY g DESC, x DESC", "4,1,6,3")]
    [TestCase("SELECT k FROM s ORDER BY k DESC", "7,6,5,4,3,2,1")]
    [TestCase("SELECT k FROM s WHERE a > 5 ORDER BY k DESC", "6,5,3,2,1")]
    [TestCase("SELECT k FROM s ORDER BY c", "4,7,6,1,5,2,3")]
    [TestCase("SELECT k FROM s ORDER BY c DESC", "3,2,1,5,6,7,4")]
    [TestCase("SELECT k FROM s WHERE c < 'q' ORDER BY c DESC", "1,5,6,7")]
    [TestCase("SELECT k FROM s ORDER BY a DESC", "5,2,6,1,3,7,4")]
    [TestCase("SELECT k FROM s WHERE a >= 10 ORDER BY a DESC", "5,2,6,1,3")]
    [TestCase("SELECT k FROM s ORDER BY a, b", "4,7,3,1,6,2,5")]
    [TestCase("SELECT k FROM s ORDER BY a DESC, b DESC", "5,2,6,1,3,7,4")]
    [TestCase("SELECT name FROM t ORDER BY name DESC", "x,5")]
    [TestCase("SELECT k FROM u ORDER BY s", "1,4,2,3")]
    [TestCase("SELECT k FROM u ORDER BY s DESC", "3,2,4,1")]
    public void Rows_in_index_order_are_the_sorted_rows(string sql, string expected)
    {
        Assert.That(Query(sql), Is.EqualTo(expected));
        Assert.That(Query(sql.Replace("ORDER BY", "ORDER BY +0,", StringComparison.Ordinal)), Is.EqualTo(expected), "the same query sorted");
    }
}
