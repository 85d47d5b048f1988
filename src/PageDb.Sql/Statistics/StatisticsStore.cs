using System.Globalization;
using PageDb.Execution;
using PageDb.Sql.Execution;
using PageDb.Sql.Values;

namespace PageDb.Sql.Statistics;

/// <summary>
/// Keeps ANALYZE's statistics in an ordinary table, <c>pagedb_stat</c>, created by the first ANALYZE (a file without
/// it simply has no statistics), so they are written in the ANALYZE transaction and survive reopening like any row.
/// Its columns: <c>tbl</c> and <c>col</c> (the names as the schema spells them), <c>bucket</c> (0 for the whole column,
/// 1..n for the histogram's buckets in order), <c>rows</c> (the table's rows for bucket 0, the bucket's rows otherwise),
/// <c>distinct_values</c>, <c>nulls</c> (0 for a bucket), and <c>low</c>/<c>high</c> (min and max for bucket 0, the
/// bucket's bounds otherwise; NULL when the column holds only NULLs) written as a type letter, a colon and the value:
/// <c>i:42</c>, <c>r:2.5</c>, <c>t:text</c>, <c>b:</c> and hex digits. The key is (tbl, col, bucket). One more row per
/// table, col '' and bucket 0, holds in <c>rows</c> how many times the table was analyzed: the generation a cached plan
/// compares (one key lookup) to see that its statistics changed.
/// </summary>
internal static class StatisticsStore
{
    /// <summary>The name of the statistics table.</summary>
    public const string TableName = "pagedb_stat";

    /// <summary>
    /// The tables a listing shows (<c>pagedb tables</c>, <c>.tables</c>) and a bare ANALYZE analyzes: all but the
    /// statistics table, which stays readable by name, as SQLite's <c>sqlite_stat1</c> does.
    /// </summary>
    public static IEnumerable<string> UserTableNames(ReadTransaction transaction) =>
        transaction.TableNames.Where(name => name != TableName);

    /// <summary>The <c>col</c> of the row that holds a table's ANALYZE generation (no column can be named so).</summary>
    private const string GenerationColumn = "";

    private static readonly TableSchema Schema = new(TableName,
    [
        new Column("tbl", ColumnType.String, false),
        new Column("col", ColumnType.String, false),
        new Column("bucket", ColumnType.Int64, false),
        new Column("rows", ColumnType.Int64, false),
        new Column("distinct_values", ColumnType.Int64, false),
        new Column("nulls", ColumnType.Int64, false),
        new Column("low", ColumnType.String, true),
        new Column("high", ColumnType.String, true),
    ], ["tbl", "col", "bucket"]);

    /// <summary>Collects the statistics of every column of <paramref name="table"/> and replaces the stored ones.</summary>
    public static void Analyze(WriteTransaction transaction, Table table)
    {
        if (table.Name == TableName)
            return;
        Table store = transaction.TryGetTable(TableName, out Table? existing) ? existing : transaction.CreateTable(Schema);
        long generation = Generation(store, table.Name) + 1;
        Forget(store, table.Name);
        store.Insert(Row.Of(table.Name, GenerationColumn, 0L, generation, 0L, 0L, null, null));
        List<SqlValue[]> rows = StoredValues.ReadAll(table, withRowId: false);
        for (int i = 0; i < table.Schema.Columns.Count; i++)
        {
            if (table.Schema.Columns[i].Name == GenerationColumn)
                continue;
            ColumnStatistics column = ColumnStatistics.Collect(table.Schema.Columns[i].Name, rows, i);
            store.Insert(Row.Of(table.Name, column.Column, 0L, column.Rows, column.Distinct, column.Nulls, Encode(column.Min), Encode(column.Max)));
            for (int b = 0; b < column.Histogram.Count; b++)
            {
                HistogramBucket bucket = column.Histogram[b];
                store.Insert(Row.Of(table.Name, column.Column, b + 1L, bucket.Rows, bucket.Distinct, 0L, Encode(bucket.Low), Encode(bucket.High)));
            }
        }
    }

    /// <summary>Deletes the statistics of the table called <paramref name="table"/>, if there are any.</summary>
    public static void Forget(ReadTransaction transaction, string table)
    {
        if (transaction.TryGetTable(TableName, out Table? store))
            Forget(store, table);
    }

    /// <summary>How many times <paramref name="table"/> was analyzed (0 when never): changes with every ANALYZE of it.</summary>
    public static long Generation(ReadTransaction transaction, string table) =>
        transaction.TryGetTable(TableName, out Table? store) ? Generation(store, table) : 0;

    /// <summary>The statistics of <paramref name="table"/>'s columns by column name; empty when it was never analyzed.</summary>
    public static Dictionary<string, ColumnStatistics> Read(ReadTransaction transaction, string table)
    {
        var columns = new Dictionary<string, ColumnStatistics>(StringComparer.Ordinal);
        if (!transaction.TryGetTable(TableName, out Table? store))
            return columns;
        var histograms = new Dictionary<string, List<HistogramBucket>>(StringComparer.Ordinal);
        foreach (SqlValue[] row in RowsOf(store, table))
        {
            string column = row[1].Text;
            if (column == GenerationColumn)
                continue;
            if (!histograms.TryGetValue(column, out List<HistogramBucket>? histogram))
                histograms[column] = histogram = [];
            if (row[2].Integer == 0)
                columns[column] = new ColumnStatistics(column, row[3].Integer, row[4].Integer, row[5].Integer, Decode(row[6]), Decode(row[7]), histogram);
            else
                histogram.Add(new HistogramBucket(row[3].Integer, row[4].Integer, Decode(row[6]), Decode(row[7])));
        }
        return columns;
    }

    private static long Generation(Table store, string table) =>
        store.Get(Row.Of(table, GenerationColumn, 0L)) is { } row ? (long)row[3]! : 0;

    private static void Forget(Table store, string table)
    {
        foreach (SqlValue[] row in RowsOf(store, table))
            store.Delete(Row.Of(row[0].Text, row[1].Text, row[2].Integer));
    }

    /// <summary>The stored rows of <paramref name="table"/>'s statistics, read by their key prefix, in key order.</summary>
    private static List<SqlValue[]> RowsOf(Table store, string table)
    {
        var rows = new List<SqlValue[]>();
        using IndexScan scan = store.IndexScan(null, Row.Of(table), Row.Of(table));
        foreach (Row row in scan)
            rows.Add(StoredValues.FromRow(row));
        return rows;
    }

    private static string? Encode(SqlValue value) => value.Kind switch
    {
        SqlValueKind.Null => null,
        SqlValueKind.Integer => "i:" + value.Integer.ToString(CultureInfo.InvariantCulture),
        SqlValueKind.Real => "r:" + value.Real.ToString("R", CultureInfo.InvariantCulture),
        SqlValueKind.Text => "t:" + value.Text,
        _ => "b:" + Convert.ToHexString(value.Blob),
    };

    private static SqlValue Decode(SqlValue stored)
    {
        if (stored.Text is not { Length: >= 2 } text || text[1] != ':')
            return SqlValue.Null;
        string body = text[2..];
        return text[0] switch
        {
            'i' when long.TryParse(body, NumberStyles.Integer, CultureInfo.InvariantCulture, out long integer) => SqlValue.FromInteger(integer),
            'r' when double.TryParse(body, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) => SqlValue.FromReal(real),
            't' => SqlValue.FromText(body),
            'b' => SqlValue.FromBlob(Convert.FromHexString(body)),
            _ => SqlValue.Null,
        };
    }
}
