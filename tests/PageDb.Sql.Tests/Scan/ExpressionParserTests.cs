using PageDb.Sql;
using PageDb.Sql.Scan;

namespace PageDb.Sql.Tests.Scan;

public sealed class ExpressionParserTests
{
    private static string Parse(string text) => ExpressionParser.ParseCondition(text, "--where").ToString()!;

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
    public void GroupsByPrecedence(string text, string grouped)
    {
        Assert.That(Parse(text), Is.EqualTo(grouped));
    }

    [Test]
    public void ReadsLiteralsWithTheirTypes()
    {
        string[] texts = ["7", "-7", "2.5", "1e3", "-9223372036854775808", "'it''s'", "TRUE", "false", "Null"];
        object?[] values = texts.Select(t => ((LiteralNode)ExpressionParser.ParseCondition(t, "--where")).Value).ToArray();
        Assert.That(values, Is.EqualTo(new object?[] { 7L, -7L, 2.5, 1000.0, long.MinValue, "it's", true, false, null }));
        Assert.That(values[0], Is.TypeOf<long>());
        Assert.That(values[3], Is.TypeOf<double>());
    }

    [Test]
    public void KeepsTheTextOfANumberAndThePositionOfEachNode()
    {
        var node = (BinaryNode)ExpressionParser.ParseCondition("price >  -0.10", "--where");
        var literal = (LiteralNode)node.Right;
        Assert.That((literal.Text, literal.Position, node.Position, node.Left.Position), Is.EqualTo(("-0.10", 9, 6, 0)));
    }

    [TestCase("", "1: expected a value, found the end")]
    [TestCase("a >", "4: expected a value, found the end")]
    [TestCase("a > 1 b", "7: unexpected 'b'")]
    [TestCase("a < b < c", "7: unexpected '<'")]
    [TestCase("(a = 1", "7: expected ')', found the end")]
    [TestCase("a = 1)", "6: unexpected ')'")]
    [TestCase("a and or b", "7: expected a value, found 'or'")]
    [TestCase("a is 1", "6: expected 'null' or 'not null' after 'is', found '1'")]
    [TestCase("a is not b", "10: expected 'null' after 'is not', found 'b'")]
    [TestCase("a = 9223372036854775808", "5: the integer 9223372036854775808 is out of the Int64 range (write 9223372036854775808.0 for a Double)")]
    [TestCase("a = 1e999", "5: the number 1e999 is out of the Double range")]
    public void SyntaxErrorsNameTheCharacter(string text, string message)
    {
        var error = Assert.Throws<SqlException>(() => ExpressionParser.ParseCondition(text, "--where"));
        Assert.That(error!.Message, Is.EqualTo("--where, character " + message));
    }

    [Test]
    public void OrderByTakesCommaSeparatedKeysWithDirections()
    {
        IReadOnlyList<OrderItem> items = ExpressionParser.ParseOrderBy("customer, total DESC, id asc, a + b desc", "--order-by");
        Assert.That(items.Select(i => (i.Expression.ToString(), i.Descending)), Is.EqualTo(new[]
        {
            ("customer", false), ("total", true), ("id", false), ("(a + b)", true),
        }));
    }

    [Test]
    public void OrderByReadsDescAsAColumnWhereAKeyIsExpected()
    {
        IReadOnlyList<OrderItem> items = ExpressionParser.ParseOrderBy("desc desc", "--order-by");
        Assert.That(items.Single(), Is.EqualTo(new OrderItem(new ColumnNode("desc", 0), true)));
        var error = Assert.Throws<SqlException>(() => ExpressionParser.ParseOrderBy("total desc desc", "--order-by"));
        Assert.That(error!.Message, Is.EqualTo("--order-by, character 12: unexpected 'desc'"));
    }
}
