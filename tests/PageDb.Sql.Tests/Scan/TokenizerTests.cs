using PageDb.Sql;
using PageDb.Sql.Scan;

namespace PageDb.Sql.Tests.Scan;

public sealed class TokenizerTests
{
    [Test]
    public void SplitsNamesNumbersStringsAndSymbols()
    {
        List<Token> tokens = Tokenizer.Tokenize("total>=1.5e3 and \"odd name\"<>'it''s' -7", "--where");
        Assert.That(tokens.Select(t => (t.Kind, t.Text)), Is.EqualTo(new[]
        {
            (TokenKind.Identifier, "total"), (TokenKind.Symbol, ">="), (TokenKind.Real, "1.5e3"), (TokenKind.Identifier, "and"),
            (TokenKind.QuotedIdentifier, "odd name"), (TokenKind.Symbol, "<>"), (TokenKind.String, "it's"),
            (TokenKind.Symbol, "-"), (TokenKind.Integer, "7"), (TokenKind.End, ""),
        }));
        Assert.That(tokens.Select(t => t.Position), Is.EqualTo(new[] { 0, 5, 7, 13, 17, 27, 29, 37, 38, 39 }));
    }

    [TestCase("a = 'open", "5: the string is not closed")]
    [TestCase("\"col = 1", "1: the quoted name is not closed")]
    [TestCase("a # 1", "3: unexpected character '#'")]
    [TestCase("a = 12abc", "5: '12a' is not a number")]
    [TestCase("a = 1e+", "5: the number '1e+' has no exponent digits")]
    [TestCase("\"\" = 1", "1: a quoted name is empty")]
    public void BadTextNamesTheCharacter(string text, string message)
    {
        var error = Assert.Throws<SqlException>(() => Tokenizer.Tokenize(text, "--where"));
        Assert.That(error!.Message, Is.EqualTo("--where, character " + message));
    }
}
