namespace PageDb.Cli.DataFiles;

/// <summary>Turns a record's fields (in column order) into a row of the table's schema, or says why it cannot.</summary>
internal static class RecordConverter
{
    /// <exception cref="DataFileException">Wrong number of fields, a null in a column that is not nullable, or a
    /// text that is not a value of its column's type.</exception>
    public static Row ToRow(IReadOnlyList<FieldText> fields, TableSchema schema)
    {
        IReadOnlyList<Column> columns = schema.Columns;
        if (fields.Count != columns.Count)
            throw new DataFileException($"{fields.Count} fields where the header has {columns.Count}");
        var values = new object?[columns.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = Value(fields[i], columns[i]);
        return Row.Of(values);
    }

    private static object? Value(FieldText field, Column column)
    {
        if (field.Text is null)
        {
            return column.Nullable
                ? null
                : throw new DataFileException($"column '{column.Name}' is null (an empty field), but the column is not nullable");
        }
        try
        {
            return DataFileValues.Parse(field.Text, column.Type);
        }
        catch (DataFileException e)
        {
            throw new DataFileException($"column '{column.Name}': {e.Message}");
        }
    }
}
