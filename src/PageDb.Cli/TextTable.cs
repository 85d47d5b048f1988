namespace PageDb.Cli;

/// <summary>A plain text table: a header, a rule, and rows with columns padded to their widest cell.</summary>
internal sealed class TextTable(IReadOnlyList<string> headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a row; it must have one cell per header.</summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Count)
            throw new ArgumentException($"A row has {cells.Length} cells; the table has {headers.Count} columns.", nameof(cells));
        _rows.Add(cells);
    }

    /// <summary>Writes the table, each line without trailing spaces.</summary>
    public void Write(TextWriter output)
    {
        int[] widths = Widths();
        WriteLine(output, [.. headers], widths);
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (string[] row in _rows)
            WriteLine(output, row, widths);
    }

    private int[] Widths()
    {
        int[] widths = headers.Select(h => h.Length).ToArray();
        foreach (string[] row in _rows)
            for (int i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        return widths;
    }

    private static void WriteLine(TextWriter output, string[] cells, int[] widths)
    {
        string line = string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i])));
        output.WriteLine(line.TrimEnd());
    }
}
