using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace PageDb.Cli.DataFiles;

/// <summary>
/// Reads a CSV file (RFC 4180, comma-separated, UTF-8) through CsvHelper: the first line is the header, every later
/// line a record, blank lines included (in a one-column file a blank line is a null). An unquoted empty field is a
/// null; a quoted one (<c>""</c>) is the empty string.
/// </summary>
internal sealed class CsvRecordReader : IRecordReader
{
    private readonly FileStream _file;
    private readonly CsvParser _parser;
    private readonly List<FieldText> _fields = [];
    private long _lastLineRead;

    public CsvRecordReader(string path)
    {
        _file = File.OpenRead(path);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            IgnoreBlankLines = false,
            BadDataFound = args => throw new DataFileException("a quote inside a field that does not start with one (quote the whole field and double the quotes inside)"),
        };
        _parser = new CsvParser(new StreamReader(_file, Encoding.UTF8), config);
        if (!Read())
            throw new DataFileException("the file is empty: a CSV file starts with a header line naming the columns");
        Columns = [.. _fields.Select(f => f.Text ?? "")];
    }

    public IReadOnlyList<string> Columns { get; }

    public long Line { get; private set; }

    public IReadOnlyList<FieldText> Fields => _fields;

    public long Position => _file.Position;

    public long Length => _file.Length;

    public bool Read()
    {
        Line = _lastLineRead + 1;
        if (!_parser.Read())
            return false;
        _lastLineRead = _parser.RawRow;
        _fields.Clear();
        bool[]? quoted = null;
        for (int i = 0; i < _parser.Count; i++)
        {
            string text = _parser[i]!;
            if (text.Length == 0 && !(quoted ??= QuotedFields(_parser.RawRecord, _parser.Count))[i])
                _fields.Add(FieldText.Null);
            else
                _fields.Add(new FieldText(text, TextOnly: false));
        }
        return true;
    }

    public void Dispose()
    {
        _parser.Dispose();
        _file.Dispose();
    }

    /// <summary>
    /// Which fields of <paramref name="raw"/> start with a quote. CsvHelper gives a quoted empty field and an
    /// unquoted one the same text, so the raw record tells null from the empty string.
    /// </summary>
    private static bool[] QuotedFields(string raw, int count)
    {
        var quoted = new bool[count];
        int field = 0;
        bool atStart = true, inQuotes = false;
        foreach (char c in raw)
        {
            if (atStart)
            {
                atStart = false;
                quoted[field] = c == '"';
            }
            if (c == '"')
                inQuotes = !inQuotes;
            else if (!inQuotes && c == ',' && field + 1 < count)
                (field, atStart) = (field + 1, true);
            else if (!inQuotes && c is '\r' or '\n')
                break;
        }
        return quoted;
    }
}
