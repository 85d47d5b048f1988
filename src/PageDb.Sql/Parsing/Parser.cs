using PageDb.Sql.Syntax;

namespace PageDb.Sql.Parsing;

/// <summary>
/// A recursive-descent parser for the SQL PageDb runs (SQLite's dialect, a subset): a text becomes a list of
/// statements. Errors are <see cref="SqlException"/>s naming the line and column of the token where parsing failed.
/// The statement grammar is here; SELECT and expressions are in the other parts of this class.
/// </summary>
internal sealed partial class Parser
{
    private readonly string _sql;
    private readonly List<Token> _tokens;
    private int _position;
    private int _positionalParameters;

    private Parser(string sql)
    {
        _sql = sql;
        _tokens = Tokenizer.Tokenize(sql);
    }

    /// <summary>The statements of <paramref name="sql"/>, separated by semicolons.</summary>
    /// <exception cref="SqlException">The text is not valid SQL.</exception>
    public static List<SqlStatement> Parse(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new Parser(sql);
        var statements = new List<SqlStatement>();
        while (true)
        {
            while (parser.Accept(";"))
            {
            }
            if (parser.Current.Kind == TokenKind.End)
                return statements;
            statements.Add(parser.Statement());
            if (parser.Current.Kind != TokenKind.End && !parser.Current.IsSymbol(";"))
                throw parser.Error($"Expected ';' or the end of the statement, found {Describe(parser.Current)}.");
        }
    }

    /// <summary>One expression that is the whole of <paramref name="text"/> (a <c>pagedb scan --where</c> condition).</summary>
    /// <exception cref="SqlException">The text is not one valid expression.</exception>
    public static SqlExpr ParseExpression(string text)
    {
        var parser = new Parser(text);
        SqlExpr expression = parser.Expression();
        parser.ExpectEnd();
        return expression;
    }

    /// <summary>ORDER BY terms that are the whole of <paramref name="text"/> (a <c>pagedb scan --order-by</c> list).</summary>
    /// <exception cref="SqlException">The text is not a valid list of terms.</exception>
    public static List<OrderTerm> ParseOrderTerms(string text)
    {
        var parser = new Parser(text);
        List<OrderTerm> terms = parser.OrderTerms();
        parser.ExpectEnd();
        return terms;
    }

    private void ExpectEnd()
    {
        if (Current.Kind != TokenKind.End)
            throw Error($"Expected the end of the text, found {Describe(Current)}.");
    }

    private Token Current => _tokens[_position];

    private Token Peek(int ahead) => _tokens[Math.Min(_position + ahead, _tokens.Count - 1)];

    private SqlStatement Statement()
    {
        Token start = Current;
        if (AcceptKeyword("EXPLAIN"))
        {
            AcceptKeyword("QUERY");
            AcceptKeyword("PLAN");
            return new ExplainStatement(start.Offset, Statement());
        }
        if (start.IsKeyword("SELECT") || start.IsKeyword("VALUES") || start.IsSymbol("("))
            return Select();
        if (AcceptKeyword("CREATE"))
            return Create(start.Offset);
        if (AcceptKeyword("DROP"))
            return Drop(start.Offset);
        if (AcceptKeyword("ANALYZE"))
            return new AnalyzeStatement(start.Offset, Current.Kind == TokenKind.End || Current.IsSymbol(";") ? null : Name("a table name"));
        if (start.IsKeyword("INSERT") || start.IsKeyword("REPLACE"))
            return Insert();
        if (AcceptKeyword("UPDATE"))
            return Update(start.Offset);
        if (AcceptKeyword("DELETE"))
            return Delete(start.Offset);
        if (AcceptKeyword("BEGIN"))
        {
            if (!AcceptKeyword("DEFERRED") && !AcceptKeyword("IMMEDIATE"))
                AcceptKeyword("EXCLUSIVE");
            AcceptKeyword("TRANSACTION");
            return new TransactionStatement(start.Offset, TransactionAction.Begin);
        }
        if (AcceptKeyword("COMMIT") || AcceptKeyword("END"))
        {
            AcceptKeyword("TRANSACTION");
            return new TransactionStatement(start.Offset, TransactionAction.Commit);
        }
        if (AcceptKeyword("ROLLBACK"))
        {
            AcceptKeyword("TRANSACTION");
            return new TransactionStatement(start.Offset, TransactionAction.Rollback);
        }
        throw Error($"Expected a statement, found {Describe(start)}.");
    }

    private SqlStatement Create(int offset)
    {
        bool unique = AcceptKeyword("UNIQUE");
        if (AcceptKeyword("INDEX"))
            return CreateIndex(offset, unique);
        if (unique)
            throw Error("Expected INDEX after CREATE UNIQUE.");
        if (!AcceptKeyword("TEMP"))
            AcceptKeyword("TEMPORARY");
        ExpectKeyword("TABLE");
        bool ifNotExists = IfNotExists();
        string name = Name("a table name");
        Expect("(");
        var columns = new List<ColumnDefinition>();
        var primaryKey = new List<string>();
        var uniqueKeys = new List<IReadOnlyList<string>>();
        do
        {
            if (!TableConstraint(primaryKey, uniqueKeys))
                columns.Add(ColumnDefinition());
        }
        while (Accept(","));
        Expect(")");
        foreach (ColumnDefinition column in columns)
        {
            if (column.PrimaryKey)
                primaryKey.Add(column.Name);
            if (column.Unique)
                uniqueKeys.Add([column.Name]);
        }
        return new CreateTableStatement(offset, name, ifNotExists, columns, primaryKey, uniqueKeys);
    }

    private bool TableConstraint(List<string> primaryKey, List<IReadOnlyList<string>> uniqueKeys)
    {
        if (AcceptKeyword("CONSTRAINT"))
            Name("a constraint name");
        if (AcceptKeyword("PRIMARY"))
        {
            ExpectKeyword("KEY");
            primaryKey.AddRange(IndexedColumns());
            return true;
        }
        if (AcceptKeyword("UNIQUE"))
        {
            uniqueKeys.Add(IndexedColumns());
            return true;
        }
        if (AcceptKeyword("CHECK"))
        {
            Expect("(");
            Expression();
            Expect(")");
            return true;
        }
        return false;
    }

    private ColumnDefinition ColumnDefinition()
    {
        int offset = Current.Offset;
        string name = Name("a column name");
        string typeName = TypeName(optional: true);
        bool primaryKey = false, notNull = false, unique = false;
        SqlExpr? defaultValue = null;
        while (true)
        {
            if (AcceptKeyword("CONSTRAINT"))
                Name("a constraint name");
            if (AcceptKeyword("PRIMARY"))
            {
                ExpectKeyword("KEY");
                if (!AcceptKeyword("ASC"))
                    AcceptKeyword("DESC");
                AcceptKeyword("AUTOINCREMENT");
                primaryKey = true;
            }
            else if (AcceptKeyword("NOT"))
            {
                ExpectKeyword("NULL");
                notNull = true;
            }
            else if (AcceptKeyword("NULL"))
            {
            }
            else if (AcceptKeyword("UNIQUE"))
            {
                unique = true;
            }
            else if (AcceptKeyword("DEFAULT"))
            {
                defaultValue = Accept("(") ? ParenthesizedRest() : Primary();
            }
            else if (AcceptKeyword("COLLATE"))
            {
                Name("a collation name");
            }
            else
            {
                return new ColumnDefinition(offset, name, typeName, primaryKey, notNull, unique, defaultValue);
            }
        }
    }

    private SqlExpr ParenthesizedRest()
    {
        SqlExpr value = Expression();
        Expect(")");
        return value;
    }

    /// <summary>A type name such as <c>INTEGER</c>, <c>VARCHAR(8)</c> or <c>DOUBLE PRECISION</c>; empty when optional and absent.</summary>
    private string TypeName(bool optional)
    {
        var words = new List<string>();
        while ((Current.Kind == TokenKind.Word && !IsConstraintWord(Current)) || (Current.Kind == TokenKind.QuotedName && words.Count == 0 && !optional))
        {
            words.Add(Current.Text);
            _position++;
        }
        if (words.Count == 0 && !optional)
            throw Error($"Expected a type name, found {Describe(Current)}.");
        if (words.Count > 0 && Accept("("))
        {
            SignedNumber();
            if (Accept(","))
                SignedNumber();
            Expect(")");
        }
        return string.Join(' ', words);
    }

    private static bool IsConstraintWord(Token token) =>
        token.IsKeyword("CONSTRAINT") || token.IsKeyword("PRIMARY") || token.IsKeyword("NOT") || token.IsKeyword("NULL")
        || token.IsKeyword("UNIQUE") || token.IsKeyword("DEFAULT") || token.IsKeyword("COLLATE") || token.IsKeyword("CHECK")
        || token.IsKeyword("REFERENCES") || token.IsKeyword("AS");

    private void SignedNumber()
    {
        if (!Accept("+"))
            Accept("-");
        if (Current.Kind is not (TokenKind.Integer or TokenKind.Real))
            throw Error($"Expected a number, found {Describe(Current)}.");
        _position++;
    }

    private List<string> IndexedColumns()
    {
        Expect("(");
        var columns = new List<string>();
        do
        {
            columns.Add(Name("a column name"));
            if (Accept("("))
            {
                SignedNumber();
                Expect(")");
            }
            if (AcceptKeyword("COLLATE"))
                Name("a collation name");
            if (!AcceptKeyword("ASC"))
                AcceptKeyword("DESC");
        }
        while (Accept(","));
        Expect(")");
        return columns;
    }

    private CreateIndexStatement CreateIndex(int offset, bool unique)
    {
        bool ifNotExists = IfNotExists();
        string name = Name("an index name");
        ExpectKeyword("ON");
        string table = Name("a table name");
        List<string> columns = IndexedColumns();
        return new CreateIndexStatement(offset, name, table, columns, unique, ifNotExists);
    }

    private bool IfNotExists()
    {
        if (!AcceptKeyword("IF"))
            return false;
        ExpectKeyword("NOT");
        ExpectKeyword("EXISTS");
        return true;
    }

    private DropStatement Drop(int offset)
    {
        bool index = AcceptKeyword("INDEX");
        if (!index)
            ExpectKeyword("TABLE");
        bool ifExists = false;
        if (AcceptKeyword("IF"))
        {
            ExpectKeyword("EXISTS");
            ifExists = true;
        }
        return new DropStatement(offset, index, Name(index ? "an index name" : "a table name"), ifExists);
    }

    private InsertStatement Insert()
    {
        int offset = Current.Offset;
        bool replace = AcceptKeyword("REPLACE");
        if (!replace)
        {
            ExpectKeyword("INSERT");
            if (AcceptKeyword("OR"))
            {
                if (!AcceptKeyword("REPLACE"))
                    throw Error($"Expected REPLACE after INSERT OR, found {Describe(Current)}.");
                replace = true;
            }
        }
        ExpectKeyword("INTO");
        string table = Name("a table name");
        List<string>? columns = null;
        if (Current.IsSymbol("(") && !Peek(1).IsKeyword("SELECT"))
        {
            Expect("(");
            columns = [];
            do
            {
                columns.Add(Name("a column name"));
            }
            while (Accept(","));
            Expect(")");
        }
        if (AcceptKeyword("DEFAULT"))
        {
            ExpectKeyword("VALUES");
            return new InsertStatement(offset, table, [], [[]], null, replace);
        }
        if (Current.IsKeyword("VALUES"))
        {
            _position++;
            return new InsertStatement(offset, table, columns, ValueRows(), null, replace);
        }
        return new InsertStatement(offset, table, columns, null, Select(), replace);
    }

    private List<IReadOnlyList<SqlExpr>> ValueRows()
    {
        var rows = new List<IReadOnlyList<SqlExpr>>();
        do
        {
            Expect("(");
            rows.Add(ExpressionList());
            Expect(")");
        }
        while (Accept(","));
        return rows;
    }

    private UpdateStatement Update(int offset)
    {
        if (AcceptKeyword("OR"))
            Name("a conflict resolution");
        string table = Name("a table name");
        ExpectKeyword("SET");
        var assignments = new List<(string, SqlExpr)>();
        do
        {
            string column = Name("a column name");
            Expect("=");
            assignments.Add((column, Expression()));
        }
        while (Accept(","));
        SqlExpr? where = AcceptKeyword("WHERE") ? Expression() : null;
        return new UpdateStatement(offset, table, assignments, where);
    }

    private DeleteStatement Delete(int offset)
    {
        ExpectKeyword("FROM");
        string table = Name("a table name");
        SqlExpr? where = AcceptKeyword("WHERE") ? Expression() : null;
        return new DeleteStatement(offset, table, where);
    }

    private bool Accept(string symbol)
    {
        if (!Current.IsSymbol(symbol))
            return false;
        _position++;
        return true;
    }

    private bool AcceptKeyword(string keyword)
    {
        if (!Current.IsKeyword(keyword))
            return false;
        _position++;
        return true;
    }

    private void Expect(string symbol)
    {
        if (!Accept(symbol))
            throw Error($"Expected '{symbol}', found {Describe(Current)}.");
    }

    private void ExpectKeyword(string keyword)
    {
        if (!AcceptKeyword(keyword))
            throw Error($"Expected {keyword}, found {Describe(Current)}.");
    }

    /// <summary>A name: a bare word that is not a reserved keyword, or a quoted name.</summary>
    private string Name(string what)
    {
        Token token = Current;
        if (token.Kind == TokenKind.QuotedName || (token.Kind == TokenKind.Word && !Keywords.IsReserved(token.Text))
            || (token.Kind == TokenKind.String && what != "an expression"))
        {
            _position++;
            return token.Text;
        }
        throw Error($"Expected {what}, found {Describe(token)}.");
    }

    private SqlException Error(string message) => SourcePosition.Error(_sql, Current.Offset, message);

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "the end of the text",
        TokenKind.String => $"'{token.Text}'",
        _ => $"'{token.Text}'",
    };
}
