namespace PageDb.Cli.DataFiles;

/// <summary>Writes a table's rows to a data file that <c>import</c> reads back into the same table.</summary>
internal interface ITableWriter : IDisposable
{
    /// <summary>Writes one row (values in column order).</summary>
    void Write(Row row);
}

/// <summary>Creates the writer for a data file's format.</summary>
internal static class TableWriters
{
    /// <summary>A writer of <paramref name="schema"/>'s rows to a new file at <paramref name="path"/>.</summary>
    public static ITableWriter Create(string path, DataFormat format, TableSchema schema) => format switch
    {
        DataFormat.Csv => new CsvTableWriter(path, schema),
        _ => new JsonLinesTableWriter(path, schema),
    };

    /// <summary>The schema sidecar of a data file: <c>&lt;file&gt;.schema</c>.</summary>
    public static string SchemaSidecarPath(string dataPath) => dataPath + ".schema";
}
