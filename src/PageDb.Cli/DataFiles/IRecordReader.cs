namespace PageDb.Cli.DataFiles;

/// <summary>
/// A data file read one record at a time. Problems with the file's content throw <see cref="DataFileException"/>;
/// <see cref="Line"/> then names the record at fault.
/// </summary>
internal interface IRecordReader : IDisposable
{
    /// <summary>
    /// The columns: a CSV file's header cells (names, possibly typed), or a JSON Lines file's names, either those
    /// the reader was given or, when it was given none, those met so far in the order first met.
    /// </summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>The line on which the current record starts (1-based).</summary>
    long Line { get; }

    /// <summary>The current record's fields in column order.</summary>
    IReadOnlyList<FieldText> Fields { get; }

    /// <summary>How many bytes of the file have been read, for progress.</summary>
    long Position { get; }

    /// <summary>The file's length in bytes.</summary>
    long Length { get; }

    /// <summary>Moves to the next record; false at the end of the file.</summary>
    bool Read();
}

/// <summary>Opens the reader for a data file's format.</summary>
internal static class RecordReaders
{
    /// <summary>Opens <paramref name="path"/>; a JSON Lines reader keeps to <paramref name="columns"/> when given.</summary>
    public static IRecordReader Open(string path, DataFormat format, IReadOnlyList<string>? columns) => format switch
    {
        DataFormat.Csv => new CsvRecordReader(path),
        _ => new JsonLinesRecordReader(path, columns),
    };
}
