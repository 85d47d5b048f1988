using PageDb.Sql.Syntax;

namespace PageDb.Sql.Parsing;

/// <summary>The SELECT grammar: compound queries, cores, FROM with joins, ORDER BY and LIMIT.</summary>
internal sealed partial class Parser
{
    private SelectStatement Select()
    {
        int offset = Current.Offset;
        var cores = new List<SelectCore> { SelectCore() };
        var operators = new List<CompoundOperator>();
        while (true)
        {
            if (AcceptKeyword("UNION"))
                operators.Add(AcceptKeyword("ALL") ? CompoundOperator.UnionAll : CompoundOperator.Union);
            else if (AcceptKeyword("INTERSECT"))
                operators.Add(CompoundOperator.Intersect);
            else if (AcceptKeyword("EXCEPT"))
                operators.Add(CompoundOperator.Except);
            else
                break;
            cores.Add(SelectCore());
        }
        List<OrderTerm> orderBy = [];
        if (AcceptKeyword("ORDER"))
        {
            ExpectKeyword("BY");
            orderBy = OrderTerms();
        }
        SqlExpr? limit = null, offsetRows = null;
        if (AcceptKeyword("LIMIT"))
        {
            limit = Expression();
            if (AcceptKeyword("OFFSET"))
            {
                offsetRows = Expression();
            }
            else if (Accept(","))
            {
                offsetRows = limit;
                limit = Expression();
            }
        }
        return new SelectStatement(offset, cores, operators, orderBy, limit, offsetRows);
    }

    private List<OrderTerm> OrderTerms()
    {
        var terms = new List<OrderTerm>();
        do
        {
            SqlExpr expression = Expression();
            if (AcceptKeyword("COLLATE"))
                Name("a collation name");
            bool descending = AcceptKeyword("DESC");
            if (!descending)
                AcceptKeyword("ASC");
            bool? nullsFirst = null;
            if (AcceptKeyword("NULLS"))
            {
                if (AcceptKeyword("FIRST"))
                    nullsFirst = true;
                else if (AcceptKeyword("LAST"))
                    nullsFirst = false;
                else
                    throw Error($"Expected FIRST or LAST, found {Describe(Current)}.");
            }
            terms.Add(new OrderTerm(expression, descending, nullsFirst));
        }
        while (Accept(","));
        return terms;
    }

    private SelectCore SelectCore()
    {
        if (Accept("("))
        {
            SelectStatement inner = Select();
            Expect(")");
            if (inner.Cores.Count != 1 || inner.OrderBy.Count > 0 || inner.Limit is not null)
                throw Error("A parenthesized compound SELECT is not supported here.");
            return inner.Cores[0];
        }
        if (AcceptKeyword("VALUES"))
            return ValuesCore();
        ExpectKeyword("SELECT");
        bool distinct = AcceptKeyword("DISTINCT");
        if (!distinct)
            AcceptKeyword("ALL");
        var columns = new List<ResultColumn>();
        do
        {
            columns.Add(ResultColumn());
        }
        while (Accept(","));
        List<FromItem> from = AcceptKeyword("FROM") ? FromClause() : [];
        SqlExpr? where = AcceptKeyword("WHERE") ? Expression() : null;
        List<SqlExpr> groupBy = [];
        SqlExpr? having = null;
        if (AcceptKeyword("GROUP"))
        {
            ExpectKeyword("BY");
            groupBy = ExpressionList();
        }
        if (AcceptKeyword("HAVING"))
            having = Expression();
        return new SelectCore(distinct, columns, from, where, groupBy, having);
    }

    /// <summary>VALUES (...), (...) as a core: the first row, then UNION ALL of the rest is not needed; one row per list.</summary>
    private SelectCore ValuesCore()
    {
        List<IReadOnlyList<SqlExpr>> rows = ValueRows();
        if (rows.Count != 1)
            throw Error("VALUES with several rows is only supported in INSERT.");
        var columns = rows[0].Select((e, i) => new ResultColumn(e, $"column{i + 1}", false, null, $"column{i + 1}")).ToList();
        return new SelectCore(false, columns, [], null, [], null);
    }

    private ResultColumn ResultColumn()
    {
        int start = Current.Offset;
        if (Accept("*"))
            return new ResultColumn(null, null, true, null, "*");
        if ((Current.Kind is TokenKind.Word or TokenKind.QuotedName) && Peek(1).IsSymbol(".") && Peek(2).IsSymbol("*"))
        {
            string table = Current.Text;
            _position += 3;
            return new ResultColumn(null, null, true, table, table + ".*");
        }
        SqlExpr expression = Expression();
        string text = _sql[start..Current.Offset].Trim();
        string? alias = null;
        if (AcceptKeyword("AS"))
            alias = Name("an alias");
        else if (Current.Kind is TokenKind.QuotedName || (Current.Kind == TokenKind.Word && !Keywords.IsReserved(Current.Text)))
            alias = Name("an alias");
        return new ResultColumn(expression, alias, false, null, text);
    }

    private List<FromItem> FromClause()
    {
        var items = new List<FromItem>();
        AddFromItem(items, JoinKind.Inner, first: true);
        while (true)
        {
            if (Accept(","))
            {
                AddFromItem(items, JoinKind.Inner, first: true);
                continue;
            }
            AcceptKeyword("NATURAL");
            JoinKind kind = JoinKind.Inner;
            bool joinWord = true;
            if (AcceptKeyword("LEFT"))
            {
                AcceptKeyword("OUTER");
                kind = JoinKind.Left;
            }
            else if (!AcceptKeyword("INNER") && !AcceptKeyword("CROSS"))
            {
                joinWord = false;
            }
            if (!AcceptKeyword("JOIN"))
            {
                if (joinWord)
                    throw Error($"Expected JOIN, found {Describe(Current)}.");
                return items;
            }
            AddFromItem(items, kind, first: false);
        }
    }

    /// <summary>Adds a FROM item, or the items of a parenthesized join (which joins the same way flattened).</summary>
    private void AddFromItem(List<FromItem> items, JoinKind kind, bool first)
    {
        if (!Current.IsSymbol("(") || Peek(1).IsKeyword("SELECT") || Peek(1).IsKeyword("VALUES") || Peek(1).IsSymbol("("))
        {
            items.Add(FromItem(kind, first));
            return;
        }
        _position++;
        List<FromItem> nested = FromClause();
        Expect(")");
        if (kind == JoinKind.Left && nested.Count > 1)
            throw Error("A LEFT JOIN to a parenthesized join is not supported.");
        items.Add(nested[0] with { Join = kind });
        items.AddRange(nested.Skip(1));
    }

    private FromItem FromItem(JoinKind kind, bool first)
    {
        int offset = Current.Offset;
        string? table = null;
        SelectStatement? subquery = null;
        if (Accept("("))
        {
            subquery = Select();
            Expect(")");
        }
        else
        {
            table = Name("a table name");
        }
        string? alias = null;
        if (AcceptKeyword("AS"))
            alias = Name("an alias");
        else if (Current.Kind is TokenKind.QuotedName || (Current.Kind == TokenKind.Word && !Keywords.IsReserved(Current.Text)))
            alias = Name("an alias");
        if (AcceptKeyword("INDEXED"))
        {
            ExpectKeyword("BY");
            Name("an index name");
        }
        else if (Current.IsKeyword("NOT") && Peek(1).IsKeyword("INDEXED"))
        {
            _position += 2;
        }
        SqlExpr? on = null;
        List<string>? usingColumns = null;
        if (!first && AcceptKeyword("ON"))
        {
            on = Expression();
        }
        else if (!first && AcceptKeyword("USING"))
        {
            Expect("(");
            usingColumns = [];
            do
            {
                usingColumns.Add(Name("a column name"));
            }
            while (Accept(","));
            Expect(")");
        }
        return new FromItem(offset, table, subquery, alias, kind, on, usingColumns);
    }
}
