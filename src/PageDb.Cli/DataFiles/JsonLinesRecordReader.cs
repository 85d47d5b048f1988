using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PageDb.Cli.DataFiles;

/// <summary>
/// Reads a JSON Lines file: one JSON object per line, its keys naming columns and its values scalars (a string,
/// number, true, false or null). Blank lines are skipped; a key missing from a line is a null.
/// </summary>
internal sealed class JsonLinesRecordReader : IRecordReader
{
    private readonly FileStream _file;
    private readonly StreamReader _text;
    private readonly bool _discover;
    private readonly List<string> _columns;
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.Ordinal);
    private readonly List<FieldText> _fields = [];
    private long _linesRead;

    /// <summary>Opens <paramref name="path"/>; with <paramref name="columns"/> null, columns are learnt from the keys met.</summary>
    public JsonLinesRecordReader(string path, IReadOnlyList<string>? columns)
    {
        _file = File.OpenRead(path);
        _text = new StreamReader(_file, Encoding.UTF8);
        _discover = columns is null;
        _columns = columns is null ? [] : [.. columns];
        for (int i = 0; i < _columns.Count; i++)
            _ordinals[_columns[i]] = i;
    }

    public IReadOnlyList<string> Columns => _columns;

    public long Line { get; private set; }

    public IReadOnlyList<FieldText> Fields => _fields;

    public long Position => _file.Position;

    public long Length => _file.Length;

    public bool Read()
    {
        string? line;
        do
        {
            line = _text.ReadLine();
            Line = ++_linesRead;
            if (line is null)
                return false;
        }
        while (string.IsNullOrWhiteSpace(line));
        ReadObject(line);
        return true;
    }

    public void Dispose()
    {
        _text.Dispose();
        _file.Dispose();
    }

    private void ReadObject(string line)
    {
        using JsonDocument document = Parse(line);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new DataFileException($"a line must hold one JSON object, not {Describe(document.RootElement.ValueKind)}");
        _fields.Clear();
        var seen = new bool[_columns.Count + document.RootElement.GetPropertyCount()];
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            int ordinal = Ordinal(property.Name);
            if (seen[ordinal])
                throw new DataFileException($"column '{property.Name}' appears twice");
            seen[ordinal] = true;
            while (_fields.Count <= ordinal)
                _fields.Add(FieldText.Null);
            _fields[ordinal] = Field(property);
        }
        while (_fields.Count < _columns.Count)
            _fields.Add(FieldText.Null);
    }

    private static JsonDocument Parse(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            string reason = e.Message.Split(" LineNumber:")[0];
            throw new DataFileException(string.Create(CultureInfo.InvariantCulture, $"not valid JSON (byte {e.BytePositionInLine + 1}): {reason}"));
        }
    }

    private int Ordinal(string name)
    {
        if (_ordinals.TryGetValue(name, out int ordinal))
            return ordinal;
        if (!_discover)
            throw new DataFileException($"unknown column '{name}' (columns: {string.Join(", ", _columns)})");
        _columns.Add(name);
        _ordinals[name] = _columns.Count - 1;
        return _columns.Count - 1;
    }

    private static FieldText Field(JsonProperty property)
    {
        JsonElement value = property.Value;
        return value.ValueKind switch
        {
            JsonValueKind.Null => FieldText.Null,
            JsonValueKind.String => new FieldText(value.GetString(), TextOnly: true),
            JsonValueKind.Number => new FieldText(value.GetRawText(), TextOnly: false),
            JsonValueKind.True => new FieldText("true", TextOnly: false),
            JsonValueKind.False => new FieldText("false", TextOnly: false),
            _ => throw new DataFileException($"column '{property.Name}' holds {Describe(value.ValueKind)}; only strings, numbers, true, false and null can be imported"),
        };
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
