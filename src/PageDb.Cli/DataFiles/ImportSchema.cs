namespace PageDb.Cli.DataFiles;

/// <summary>
/// Decides the schema of the table an import creates. Columns come from the declared schema (<c>--schema</c>, or a
/// JSON Lines file's <c>&lt;file&gt;.schema</c> sidecar), else from the CSV header or the JSON keys; a column without a declared type
/// gets the type inferred from the data (<see cref="TypeInference"/>). The primary key is, in this order: the
/// columns named by <c>--key</c>; the columns marked <c>key</c>; none (a hidden row id) when every column's type was
/// declared; a column named <c>id</c>; else none.
/// </summary>
internal static class ImportSchema
{
    /// <summary>The name of the column that is the key by default.</summary>
    public const string DefaultKeyColumn = "id";

    /// <summary>The schema for importing <paramref name="reader"/>'s file as table <paramref name="table"/>.</summary>
    /// <param name="table">The new table's name.</param>
    /// <param name="reader">A reader just opened on the file; inference reads it to its end.</param>
    /// <param name="declared">The declared columns, or null.</param>
    /// <param name="key">The <c>--key</c> columns, or null.</param>
    public static TableSchema Decide(string table, IRecordReader reader, IReadOnlyList<ColumnSpec>? declared, IReadOnlyList<string>? key)
    {
        IReadOnlyList<ColumnSpec> specs = declared ?? [.. reader.Columns.Select(SchemaText.ParseColumn)];
        var typed = specs.Where(s => s.Type is not null).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        bool allTyped = specs.Count > 0 && typed.Count == specs.Count;
        if (!allTyped)
            specs = Infer(reader, specs);
        IReadOnlyList<string> primaryKey = key ?? MarkedKey(specs) ?? (allTyped ? [] : DefaultKey(specs));
        foreach (string name in primaryKey)
            if (!specs.Any(s => s.Name == name))
                throw new CliException($"the key column '{name}' is not a column of the file (columns: {string.Join(", ", specs.Select(s => s.Name))})");
        // An inferred key column is not nullable: a null in it is then reported with its line when the row is read.
        var columns = specs.Select(s => new Column(s.Name, s.Type!.Value, s.Nullable && (typed.Contains(s.Name) || !primaryKey.Contains(s.Name))));
        return Create(table, [.. columns], primaryKey);
    }

    /// <summary>Checks that a CSV header names the declared columns, in order (its types, if any, are overridden).</summary>
    public static void RequireHeaderMatches(IReadOnlyList<string> header, IReadOnlyList<ColumnSpec> declared)
    {
        string[] names = [.. header.Select(cell => SchemaText.ParseColumn(cell).Name)];
        if (!names.SequenceEqual(declared.Select(d => d.Name)))
            throw new CliException($"the header names the columns {string.Join(", ", names)}, but the schema names {string.Join(", ", declared.Select(d => d.Name))}");
    }

    private static TableSchema Create(string table, List<Column> columns, IReadOnlyList<string> primaryKey)
    {
        if (columns.Count == 0)
            throw new CliException("the file names no columns (it has no records to learn them from); give them with --schema");
        try
        {
            return new TableSchema(table, columns, primaryKey);
        }
        catch (ArgumentException e)
        {
            throw new CliException("the table cannot be made: " + ErrorText.Describe(e));
        }
    }

    /// <summary>The columns marked <c>key</c>, by their positions when numbered, else in column order; null when none is.</summary>
    private static List<string>? MarkedKey(IReadOnlyList<ColumnSpec> specs)
    {
        List<ColumnSpec> marked = [.. specs.Where(s => s.IsKey)];
        if (marked.Count == 0)
            return null;
        if (marked.All(s => s.KeyPosition is null))
            return [.. marked.Select(s => s.Name)];
        List<int?> positions = [.. marked.Select(s => s.KeyPosition).Order()];
        if (!positions.SequenceEqual(Enumerable.Range(1, marked.Count).Select(p => (int?)p)))
            throw new CliException($"the key columns are numbered {string.Join(", ", positions)}; number all of them 1 to {marked.Count}, or none");
        return [.. marked.OrderBy(s => s.KeyPosition).Select(s => s.Name)];
    }

    private static List<string> DefaultKey(IReadOnlyList<ColumnSpec> specs) =>
        specs.Any(s => s.Name == DefaultKeyColumn) ? [DefaultKeyColumn] : [];

    private static List<ColumnSpec> Infer(IRecordReader reader, IReadOnlyList<ColumnSpec> specs)
    {
        var inference = new TypeInference();
        while (reader.Read())
            inference.Observe(reader.Fields);
        var inferred = new List<ColumnSpec>();
        for (int i = 0; i < reader.Columns.Count; i++)
        {
            ColumnSpec spec = i < specs.Count ? specs[i] : new ColumnSpec(reader.Columns[i], null);
            if (spec.Type is null)
            {
                (ColumnType type, bool nullable) = inference.Result(i);
                spec = spec with { Type = type, Nullable = nullable };
            }
            inferred.Add(spec);
        }
        return inferred;
    }
}
