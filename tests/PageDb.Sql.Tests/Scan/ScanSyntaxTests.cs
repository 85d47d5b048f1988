using PageDb.Sql;
using PageDb.Sql.Scan;

namespace PageDb.Sql.Tests.Scan;

public sealed class ScanSyntaxTests
{
    private static string Parse(string text) => ScanSyntax.ParseCondition(text, "--where").ToString()!;

    [TestCase("a or b and c", "(a or (b and c))")]
    [TestCase("a AND b Or c", "((a and b) or c)")]
    [TestCase("not a = 1 and b", "((not (a = 1)) and b)")]
    [TestCase("not not a", "(not (not a))")]
    [TestCase("a + b * c - d / e", "((a + (b * c)) - (d / e))")]
    [TestCase("(a + b) * c", "((a + b) * c)")]
    [TestCase("a - b - c", "((a - b) - c)")]
    [TestCase("a == 1 or b != 2 or c <> 3", "(((a = 1) or (b <> 2)) or (c <> 3))")]
    [TestCase("a < 1 and b <= 2 and c > 3 and d >= 4", "((((a < 1) and (b <= 2)) and (c > 3)) and (d >= 4))")]
    [TestCase("a is null or b IS NOT NULL", "((a is null) or (b is not null))")]
    [TestCase("a + 1 is null", "((a + 1) is null)")]
    [TestCase("-a * -(b)", "((-a) * (-b))")]
    [TestCase("\"and\" = \"Not\"", "(and = Not)")]
    [TestCase("a < b < c", "((a < b) < c)")]
    [TestCase("\"true\" = true", "(true = true)")]
    public void GroupsByPrecedence(string text, string grouped)
    {
        Assert.That(Parse(text), Is.EqualTo(grouped));
    }

    [Test]
    public void ReadsLiteralsWithTheirTypes()
    {
        string[] texts = ["7", "-7", "2.5", "1e3", "-9223372036854775808", "'it''s'", "TRUE", "false", "Null"];
        object?[] values = texts.Select(t => ((LiteralNode)ScanSyntax.ParseCondition(t, "--where")).Value).ToArray();
        Assert.That(values, Is.EqualTo(new object?[] { 7L, -7L, 2.5, 1000.0, long.MinValue, "it's", true, false, null }));
        Assert.That(values[0], Is.TypeOf<long>());
        Assert.That(values[3], Is.TypeOf<double>());
    }

    [Test]
    public void KeepsTheTextOfANumberAndThePositionOfEachNode()
    {
        var node = (BinaryNode)ScanSyntax.ParseCondition("price >  -0.10", "--where");
        var literal = (LiteralNode)node.Right;
        Assert.That((literal.Text, literal.Position, node.Position, node.Left.Position), Is.EqualTo(("-0.10", 9, 6, 0)));
    }

    [TestCase("", "1: Expected an expression, found the end of the text.")]
    [TestCase("a >", "4: Expected an expression, found the end of the text.")]
    [TestCase("a > 1 b", "7: Expected the end of the text, found 'b'.")]
    [TestCase("(a = 1", "7: Expected ')', found the end of the text.")]
    [TestCase("a = 1)", "6: Expected the end of the text, found ')'.")]
    [TestCase("a and or b", "7: Expected an expression, found 'or'.")]
    [TestCase("a = 'open", "5: Unterminated string.")]
    [TestCase("\"col = 1", "1: Unterminated quoted name.")]
    [TestCase("a # 1", "3: Unexpected character '#'.")]
    [TestCase("a = 12abc", "5: Malformed number '12a'.")]
    [TestCase("a = 9223372036854775808", "5: the integer 9223372036854775808 is out of the Int64 range (write 9223372036854775808.0 for a Double)")]
    [TestCase("a = 1e999", "5: the number 1e999 is out of the Double range")]
    [TestCase("a is 1", "3: the operator IS is SQL only (use pagedb sql)")]
    [TestCase("a in (1, 2)", "3: IN is SQL only (use pagedb sql)")]
    [TestCase("abs(a) > 1", "1: the function abs() is SQL only (use pagedb sql)")]
    [TestCase("a like 'x%'", "3: LIKE is SQL only (use pagedb sql)")]
    [TestCase("t.a = 1", "1: the qualified name t.a is SQL only (use pagedb sql)")]
    [TestCase("a = ?", "5: a parameter is SQL only (use pagedb sql)")]
    [TestCase("a || 'x' = 'y'", "3: the operator || is SQL only (use pagedb sql)")]
    public void SyntaxErrorsNameTheCharacter(string text, string message)
    {
        var error = Assert.Throws<SqlException>(() => ScanSyntax.ParseCondition(text, "--where"));
        Assert.That(error!.Message, Is.EqualTo("--where, character " + message));
    }

    [Test]
    public void OrderByTakesCommaSeparatedKeysWithDirections()
    {
        IReadOnlyList<OrderItem> items = ScanSyntax.ParseOrderBy("customer, total DESC, id asc, a + b desc", "--order-by");
        Assert.That(items.Select(i => (i.Expression.ToString(), i.Descending)), Is.EqualTo(new[]
        {
            ("customer", false), ("total", true), ("id", false), ("(a + b)", true),
        }));
    }

    [Test]
    public void OrderByTakesAKeywordAsAColumnOnlyInQuotes()
    {
        IReadOnlyList<OrderItem> items = ScanSyntax.ParseOrderBy("\"desc\" desc", "--order-by");
        Assert.That(items.Single(), Is.EqualTo(new OrderItem(new ColumnNode("desc", 0), true)));
        var error = Assert.Throws<SqlException>(() => ScanSyntax.ParseOrderBy("total desc desc", "--order-by"));
        Assert.That(error!.Message, Is.EqualTo("--order-by, character 12: Expected the end of the text, found 'desc'."));
        error = Assert.Throws<SqlException>(() => ScanSyntax.ParseOrderBy("total nulls first", "--order-by"));
        Assert.That(error!.Message, Is.EqualTo("--order-by, character 1: NULLS FIRST/LAST is SQL only (use pagedb sql)"));
    }
}
