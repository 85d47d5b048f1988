using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace PageDb.Cli.DataFiles;

/// <summary>
/// The schema syntax shared by <c>--schema</c>, the <c>&lt;file&gt;.schema</c> sidecar and CSV header lines: one
/// comma-separated line of <see cref="ColumnSpec"/>s, e.g. <c>id:int64 key, name:string, total:double?</c>. The line
/// is read as a CSV record, so a column name holding a comma can be quoted. Type names are those of
/// <see cref="ColumnType"/>, in any case.
/// </summary>
internal static class SchemaText
{
    private const string KeyWord = "key";

    /// <summary>Reads a schema line (leading and trailing blanks of each column are ignored).</summary>
    public static List<ColumnSpec> ParseLine(string line)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            TrimOptions = TrimOptions.Trim,
            BadDataFound = _ => throw new DataFileException("a column with a comma must be quoted whole, e.g. \"a,b:string\""),
        };
        using var parser = new CsvParser(new StringReader(line), config);
        if (!parser.Read())
            throw new DataFileException("the schema names no columns");
        return [.. parser.Record!.Select(ParseColumn)];
    }

    /// <summary>Reads one column: <c>name</c>, or <c>name:type[?][ key[ N]]</c> (the last colon separates the type).</summary>
    public static ColumnSpec ParseColumn(string cell)
    {
        int colon = cell.LastIndexOf(':');
        if (colon < 0)
            return new ColumnSpec(RequireName(cell, cell), null);
        string name = RequireName(cell[..colon].Trim(), cell);
        string[] words = cell[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length is 0 or > 3 || (words.Length > 1 && !words[1].Equals(KeyWord, StringComparison.OrdinalIgnoreCase)))
            throw Bad(cell);
        bool nullable = words[0].EndsWith('?');
        ColumnType type = ParseType(words[0].TrimEnd('?'), cell);
        int? position = words.Length == 3 ? ParsePosition(words[2], cell) : null;
        return new ColumnSpec(name, type, nullable, IsKey: words.Length > 1, position);
    }

    /// <summary>The columns of <paramref name="schema"/>, each written so that <see cref="ParseColumn"/> gives it back.</summary>
    public static string[] Format(TableSchema schema)
    {
        var cells = new string[schema.Columns.Count];
        for (int i = 0; i < cells.Length; i++)
        {
            Column column = schema.Columns[i];
            string cell = column.Name + ":" + column.Type.ToString().ToLowerInvariant() + (column.Nullable ? "?" : "");
            int keyIndex = IndexOf(schema.PrimaryKey, column.Name);
            if (keyIndex >= 0)
                cell += schema.PrimaryKey.Count == 1 ? " " + KeyWord : string.Create(CultureInfo.InvariantCulture, $" {KeyWord} {keyIndex + 1}");
            cells[i] = cell;
        }
        return cells;
    }

    /// <summary>The schema as one CSV line, quoted where needed.</summary>
    public static string FormatLine(TableSchema schema)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" }))
        {
            foreach (string cell in Format(schema))
                csv.WriteField(cell);
            csv.NextRecord();
        }
        return text.ToString();
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], name, StringComparison.Ordinal))
                return i;
        return -1;
    }

    private static string RequireName(string name, string cell) => name.Length > 0 ? name : throw Bad(cell);

    private static ColumnType ParseType(string word, string cell)
    {
        if (word.Length > 0 && !char.IsAsciiDigit(word[0]) && Enum.TryParse(word, ignoreCase: true, out ColumnType type) && Enum.IsDefined(type))
            return type;
        throw new DataFileException($"unknown type '{word}' in column '{cell}' (types: {string.Join(", ", Enum.GetNames<ColumnType>()).ToLowerInvariant()})");
    }

    private static int ParsePosition(string word, string cell) =>
        int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out int position) && position > 0 ? position : throw Bad(cell);

    private static DataFileException Bad(string cell) =>
        new($"cannot read column '{cell}': expected name, or name:type with optional ? (nullable) and 'key' or 'key N' (primary key)");
}
