using System.Text.Encodings.Web;
using System.Text.Json;

namespace PageDb.Cli.DataFiles;

/// <summary>
/// Writes JSON Lines: one object per row, keyed by column name. Int64, finite Double and Decimal values are JSON
/// numbers (in <see cref="DataFileValues"/>'s exact text), Booleans true/false, a null null, everything else a JSON
/// string: String as is, Bytes as 0x hex, DateTime as ISO 8601, and NaN or an infinity as "NaN", "Infinity",
/// "-Infinity". JSON has no place for a schema, so the schema goes to the <c>&lt;file&gt;.schema</c> sidecar.
/// </summary>
internal sealed class JsonLinesTableWriter : ITableWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;
    private readonly TableSchema _schema;

    public JsonLinesTableWriter(string path, TableSchema schema)
    {
        _schema = schema;
        _file = File.Create(path);
        _json = new Utf8JsonWriter(_file, Options);
    }

    public void Write(Row row)
    {
        _json.WriteStartObject();
        for (int i = 0; i < _schema.Columns.Count; i++)
        {
            Column column = _schema.Columns[i];
            _json.WritePropertyName(column.Name);
            WriteValue(row, i, column.Type);
        }
        _json.WriteEndObject();
        _json.Flush();
        _file.WriteByte((byte)'\n');
        _json.Reset();
    }

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }

    private void WriteValue(Row row, int ordinal, ColumnType type)
    {
        string? text = DataFileValues.Format(row, ordinal, type);
        if (text is null)
            _json.WriteNullValue();
        else if (type == ColumnType.Boolean)
            _json.WriteBooleanValue(row.GetBoolean(ordinal));
        else if (type is ColumnType.Int64 or ColumnType.Decimal || (type == ColumnType.Double && double.IsFinite(row.GetDouble(ordinal))))
            _json.WriteRawValue(text);
        else
            _json.WriteStringValue(text);
    }
}
