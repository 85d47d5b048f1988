using Microsoft.Data.Sqlite;
using PageDb.Sql.Binding;

namespace PageDb.Cli.SqliteImport;

/// <summary>A SQLite table as PageDb will hold it, the SQL that reads its rows in key order, and its indexes.</summary>
internal sealed record SqliteTable(TableSchema Schema, string Select, long RowCount, IReadOnlyList<SqliteIndex> Indexes);

/// <summary>An index on plain columns of a SQLite table, as PageDb will build it.</summary>
internal sealed record SqliteIndex(string Name, IReadOnlyList<string> Columns, bool Unique);

/// <summary>
/// Reads a SQLite database's schema (through its <c>PRAGMA</c> table-valued functions) and maps it to PageDb's: each
/// column's type from its declared type by <see cref="TypeMapping.ColumnTypeFor"/>, the rules <c>pagedb sql</c>'s
/// CREATE TABLE follows; the key from the declared PRIMARY KEY (an INTEGER PRIMARY KEY is the rowid itself, so such a
/// table is keyed by its rowid values), else PageDb's hidden row id, numbered 1..N in SQLite's rowid order (SQLite's
/// own rowid values are not kept); every CREATE INDEX and UNIQUE constraint on plain columns. What PageDb cannot hold
/// is described in <see cref="Unmapped"/>, one line each.
/// </summary>
internal sealed class SqliteSchema
{
    private readonly List<SqliteTable> _tables = [];
    private readonly List<string> _unmapped = [];

    private SqliteSchema()
    {
    }

    /// <summary>The tables to copy, in the order SQLite created them.</summary>
    public IReadOnlyList<SqliteTable> Tables => _tables;

    /// <summary>What is not copied, or copied with a change: one line each, such as <c>view v: PageDb has no views</c>.</summary>
    public IReadOnlyList<string> Unmapped => _unmapped;

    /// <summary>Reads the schema of the open database <paramref name="sqlite"/>.</summary>
    /// <exception cref="SqliteException">The file is not a SQLite database, or cannot be read.</exception>
    public static SqliteSchema Read(SqliteConnection sqlite)
    {
        var schema = new SqliteSchema();
        foreach ((string name, string type) in Query(sqlite,
            "SELECT name, type FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND type IN ('table', 'view', 'trigger') ORDER BY rowid",
            r => (r.GetString(0), r.GetString(1))))
        {
            switch (type)
            {
                case "view":
                    schema._unmapped.Add($"view {name}: PageDb has no views");
                    break;
                case "trigger":
                    schema._unmapped.Add($"trigger {name}: PageDb has no triggers");
                    break;
                default:
                    schema.AddTable(sqlite, name);
                    break;
            }
        }
        return schema;
    }

    private void AddTable(SqliteConnection sqlite, string name)
    {
        string kind = Query(sqlite, "SELECT type FROM pragma_table_list WHERE schema = 'main' AND name = $name", r => r.GetString(0), name).Single();
        if (kind != "table")
        {
            _unmapped.Add($"table {name}: a {kind} table, not copied");
            return;
        }
        var columns = new List<(string Name, string Type, bool NotNull, int KeyPosition)>();
        foreach ((string column, string type, bool notNull, string? fallback, int keyPosition, int hidden) in Query(sqlite,
            "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo($name) ORDER BY cid",
            r => (r.GetString(0), r.GetString(1), r.GetBoolean(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt32(4), r.GetInt32(5)), name))
        {
            if (fallback is not null)
                _unmapped.Add($"table {name}: the default of column {column} ({fallback}) is not kept");
            if (hidden is 2 or 3)
                _unmapped.Add($"table {name}: generated column {column} is kept as a plain column holding its values");
            columns.Add((column, type, notNull, keyPosition));
        }
        List<string> key = [.. columns.Where(c => c.KeyPosition > 0).OrderBy(c => c.KeyPosition).Select(c => c.Name)];
        var schema = new TableSchema(name,
            [.. columns.Select(c => new Column(c.Name, TypeMapping.ColumnTypeFor(c.Type), !c.NotNull && !key.Contains(c.Name)))], key);
        if (Query(sqlite, "SELECT count(*) FROM pragma_foreign_key_list($name)", r => r.GetInt64(0), name).Single() > 0)
            _unmapped.Add($"table {name}: its foreign keys are not kept (PageDb does not enforce them)");
        string order = key.Count > 0 ? string.Join(", ", key.Select(Quote)) : "rowid";
        string select = $"SELECT {string.Join(", ", columns.Select(c => Quote(c.Name)))} FROM {Quote(name)} ORDER BY {order}";
        long rows = Query(sqlite, $"SELECT count(*) FROM {Quote(name)}", r => r.GetInt64(0)).Single();
        _tables.Add(new SqliteTable(schema, select, rows, Indexes(sqlite, name)));
    }

    /// <summary>The indexes PageDb can build; the primary key's own index is the table's key, so it is not one.</summary>
    private List<SqliteIndex> Indexes(SqliteConnection sqlite, string table)
    {
        var indexes = new List<SqliteIndex>();
        foreach ((string name, bool unique, string origin, bool partial) in Query(sqlite,
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list($name) ORDER BY seq DESC",
            r => (r.GetString(0), r.GetBoolean(1), r.GetString(2), r.GetBoolean(3)), table))
        {
            if (origin == "pk")
                continue;
            if (partial)
                _unmapped.Add($"index {name} on {table}: a partial index (with WHERE), not created");
            else if (IndexColumns(sqlite, table, name) is { } columns)
                indexes.Add(new SqliteIndex(name, columns, unique));
        }
        return indexes;
    }

    /// <summary>The index's columns, or null (with the reason noted) when one is an expression or the rowid.</summary>
    private List<string>? IndexColumns(SqliteConnection sqlite, string table, string index)
    {
        var columns = new List<string>();
        foreach ((string? name, bool descending, string collation) in Query(sqlite,
            "SELECT name, \"desc\", coll FROM pragma_index_xinfo($name) WHERE key = 1 ORDER BY seqno",
            r => (r.IsDBNull(0) ? null : r.GetString(0), r.GetBoolean(1), r.GetString(2)), index))
        {
            if (name is null)
            {
                _unmapped.Add($"index {index} on {table}: an index on an expression, not created");
                return null;
            }
            if (descending)
                _unmapped.Add($"index {index} on {table}: column {name} is DESC in SQLite, ascending in PageDb");
            if (!string.Equals(collation, "BINARY", StringComparison.OrdinalIgnoreCase))
                _unmapped.Add($"index {index} on {table}: collation {collation} of column {name} is not kept (PageDb compares bytes)");
            columns.Add(name);
        }
        return columns;
    }

    /// <summary>A SQLite identifier in double quotes.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static List<T> Query<T>(SqliteConnection sqlite, string sql, Func<SqliteDataReader, T> read, string? name = null)
    {
        using SqliteCommand command = sqlite.CreateCommand();
        command.CommandText = sql;
        if (name is not null)
            command.Parameters.AddWithValue("$name", name);
        using SqliteDataReader reader = command.ExecuteReader();
        var results = new List<T>();
        while (reader.Read())
            results.Add(read(reader));
        return results;
    }
}
