using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace PageDb.Cli.DataFiles;

/// <summary>
/// Writes CSV through CsvHelper: a header of typed columns (<see cref="SchemaText"/>), then one line per row with
/// values as <see cref="DataFileValues"/> writes them; a null is an unquoted empty field, the empty string <c>""</c>.
/// </summary>
internal sealed class CsvTableWriter : ITableWriter
{
    private readonly CsvWriter _csv;
    private readonly TableSchema _schema;

    public CsvTableWriter(string path, TableSchema schema)
    {
        _schema = schema;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" };
        _csv = new CsvWriter(new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)), config);
        foreach (string cell in SchemaText.Format(schema))
            _csv.WriteField(cell);
        _csv.NextRecord();
    }

    public void Write(Row row)
    {
        for (int i = 0; i < _schema.Columns.Count; i++)
        {
            string? text = DataFileValues.Format(row, i, _schema.Columns[i].Type);
            if (text is null)
                _csv.WriteField("", shouldQuote: false);
            else if (text.Length == 0)
                _csv.WriteField("", shouldQuote: true);
            else
                _csv.WriteField(text);
        }
        _csv.NextRecord();
    }

    public void Dispose() => _csv.Dispose();
}
