using System.Globalization;

namespace PageDb.Cli.Tests;

/// <summary>
/// Random conditions over <see cref="Item"/>s: the text to pass to <c>--where</c>, and what the condition gives for an
/// item by SQL's three-valued logic (null when unknown), computed in C# as the oracle.
/// </summary>
public sealed class RandomCondition(Random random)
{
    private static readonly string[] AllOperators = ["=", "==", "!=", "<>", "<", "<=", ">", ">="];
    private static readonly string[] RangeOperators = ["=", "<", "<=", ">", ">="];
    private static readonly string[] LowerBoundOperators = ["=", ">", ">="];
    private static readonly string[] ExtraNames = ["b", "zzz", "", "it's"];

    /// <summary>A condition nesting and/or/not up to <paramref name="depth"/> levels over comparisons and null tests.</summary>
    public (string Text, Func<Item, bool?> Holds) Next(int depth)
    {
        if (depth == 0 || random.Next(3) == 0)
            return Leaf();
        var (a, holdsA) = Next(depth - 1);
        if (random.Next(3) == 0)
            return ($"{Keyword("not")} ({a})", i => !holdsA(i));
        var (b, holdsB) = Next(depth - 1);
        return random.Next(2) == 0
            ? ($"({a}) {Keyword("and")} ({b})", i => And(holdsA(i), holdsB(i)))
            : ($"({a}) {Keyword("or")} ({b})", i => Or(holdsA(i), holdsB(i)));
    }

    /// <summary>A comparison a key range can answer: on id, or on the first column of an index (a lower bound when it is nullable).</summary>
    public (string Text, Func<Item, bool?> Holds) KeyLeaf() => random.Next(4) switch
    {
        0 => Id(RangeOperators),
        1 => At(RangeOperators),
        2 => Name(LowerBoundOperators),
        _ => Total(LowerBoundOperators),
    };

    /// <summary>SQL's and: false wins, then null.</summary>
    public static bool? And(bool? a, bool? b) => a == false || b == false ? false : a is null || b is null ? null : true;

    /// <summary>SQL's or: true wins, then null.</summary>
    public static bool? Or(bool? a, bool? b) => a == true || b == true ? true : a is null || b is null ? null : false;

    private (string, Func<Item, bool?>) Leaf() => random.Next(10) switch
    {
        0 => Id(AllOperators),
        1 => Name(AllOperators),
        2 => Total(AllOperators),
        3 => At(AllOperators),
        4 => Price(),
        5 => Flag(),
        6 => NullTest(),
        7 => Arithmetic(),
        8 => Mixed(),
        _ => Compare("qty", Integer(random.Next(-6, 7)), i => i.Qty, AllOperators),
    };

    private (string, Func<Item, bool?>) Id(string[] operators) =>
        Compare("id", Integer(random.Next(-60, 161)), i => i.Id, operators);

    private (string, Func<Item, bool?>) Name(string[] operators)
    {
        string name = random.Next(3) == 0 ? ExtraNames[random.Next(ExtraNames.Length)] : Item.Names[random.Next(Item.Names.Length)];
        return Compare("name", (Quote(name), name), i => i.Name, operators);
    }

    private (string, Func<Item, bool?>) Total(string[] operators)
    {
        double total = random.Next(-22, 23) * 0.5;
        string text = total == Math.Floor(total) && random.Next(2) == 0
            ? ((long)total).ToString(CultureInfo.InvariantCulture)
            : total.ToString("R", CultureInfo.InvariantCulture);
        return Compare("total", (text, total), i => i.Total, operators);
    }

    private (string, Func<Item, bool?>) At(string[] operators)
    {
        DateTime at = Item.FirstDay.AddDays(random.Next(-1, 33)).AddHours(random.Next(2) * 6);
        string text = at.Hour == 0 && random.Next(2) == 0
            ? at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Compare("at", (Quote(text), at), i => i.At, operators);
    }

    private (string, Func<Item, bool?>) Price()
    {
        decimal price = random.Next(-450, 451) / 100m;
        string text = price.ToString(CultureInfo.InvariantCulture);
        return Compare("price", (random.Next(2) == 0 ? text : Quote(text), price), i => i.Price, AllOperators);
    }

    private (string, Func<Item, bool?>) Flag() => random.Next(3) switch
    {
        0 => ("flag", i => i.Flag),
        _ => Compare("flag", random.Next(2) == 0 ? ("true", (object)true) : ("FALSE", false), i => i.Flag, AllOperators),
    };

    private (string, Func<Item, bool?>) NullTest()
    {
        (string column, Func<Item, object?> value) = random.Next(3) switch
        {
            0 => ("name", (Func<Item, object?>)(i => i.Name)),
            1 => ("total", i => i.Total),
            _ => ("flag", i => i.Flag),
        };
        bool negated = random.Next(2) == 0;
        string text = $"{column} {Keyword("is")} {(negated ? Keyword("not") + " " : "")}{Keyword("null")}";
        return (text, i => (value(i) is null) != negated);
    }

    /// <summary>Arithmetic as the engine does it: Int64 stays Int64 (division truncates, by zero is null), Double with Int64 is Double.</summary>
    private (string, Func<Item, bool?>) Arithmetic()
    {
        long k = random.Next(-10, 11);
        return random.Next(5) switch
        {
            0 => Compare("qty * 2 + 1", Integer(k), i => i.Qty * 2 + 1, AllOperators),
            1 => Compare("id / qty", Integer(k), i => i.Qty == 0 ? null : i.Id / i.Qty, AllOperators),
            2 => Compare("-qty", Integer(k), i => -i.Qty, AllOperators),
            3 => Compare("price * 2", (Integer(k).Text, (decimal)k), i => i.Price * 2, AllOperators),
            _ => Compare("total - qty", ((k + 0.5).ToString("R", CultureInfo.InvariantCulture), k + 0.5), i => i.Total - i.Qty, AllOperators),
        };
    }

    /// <summary>Numbers of different types compare by value (Int64 with Double as doubles, Int64 with Decimal as decimals).</summary>
    private (string, Func<Item, bool?>) Mixed()
    {
        double half = random.Next(-100, 300) * 0.5;
        return random.Next(3) switch
        {
            0 => Compare("id", (half.ToString("R", CultureInfo.InvariantCulture), half), i => (double)i.Id, AllOperators),
            1 => Compare("qty", ("total", 0.0), i => i.Total is null ? null : (double)i.Qty - i.Total.Value, AllOperators),
            _ => Compare("price", ("qty", 0m), i => i.Price - i.Qty, AllOperators),
        };
    }

    /// <summary>
    /// <c>left op right</c>, sometimes written the other way round (<c>right mirrored-op left</c>). The oracle compares
    /// <paramref name="value"/> (null when unknown) with the constant.
    /// </summary>
    private (string, Func<Item, bool?>) Compare(string left, (string Text, object Value) right, Func<Item, object?> value, string[] operators)
    {
        string op = operators[random.Next(operators.Length)];
        string text = random.Next(3) == 0 ? $"{right.Text} {Mirror(op)} {left}" : $"{left} {op} {right.Text}";
        return (text, i => value(i) is { } v ? Holds(op, Order(v, right.Value)) : null);
    }

    private static int Order(object a, object b) =>
        a is string x && b is string y ? string.CompareOrdinal(x, y) : ((IComparable)a).CompareTo(b);

    private static bool Holds(string op, int order) => op switch
    {
        "=" or "==" => order == 0,
        "!=" or "<>" => order != 0,
        "<" => order < 0,
        "<=" => order <= 0,
        ">" => order > 0,
        _ => order >= 0,
    };

    private static string Mirror(string op) => op switch
    {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        _ => op,
    };

    private static (string Text, object Value) Integer(long value) => (value.ToString(CultureInfo.InvariantCulture), value);

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private string Keyword(string word) => random.Next(3) switch
    {
        0 => word.ToUpperInvariant(),
        1 => char.ToUpperInvariant(word[0]) + word[1..],
        _ => word,
    };
}
