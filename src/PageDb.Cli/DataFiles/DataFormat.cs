namespace PageDb.Cli.DataFiles;

/// <summary>The file formats <c>import</c> reads and <c>export</c> writes.</summary>
internal enum DataFormat
{
    /// <summary>Comma-separated values with a header line (RFC 4180).</summary>
    Csv,

    /// <summary>JSON Lines: one JSON object per line.</summary>
    JsonLines,
}

/// <summary>Chooses the format of a data file: <c>--format</c> when given, else the file's extension.</summary>
internal static class DataFormats
{
    /// <summary>The words <c>--format</c> accepts.</summary>
    public static readonly string[] Names = ["csv", "jsonl"];

    /// <summary>The format named by <paramref name="option"/>, or the one <paramref name="path"/>'s extension stands for.</summary>
    public static DataFormat Resolve(string path, string? option)
    {
        string word = option ?? Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
        return word switch
        {
            "csv" => DataFormat.Csv,
            "jsonl" or "ndjson" => DataFormat.JsonLines,
            _ => throw new CliException($"cannot tell the format of '{path}' from its extension (.csv, .jsonl or .ndjson); use --format csv|jsonl"),
        };
    }
}
