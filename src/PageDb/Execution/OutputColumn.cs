namespace PageDb.Execution;

/// <summary>A column an operator produces: its name and, for columns read from a table, the table's name.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Source">The table the column comes from, or null for a computed column.</param>
public sealed record OutputColumn(string Name, string? Source = null)
{
    /// <summary>The column as "source.name", or the name alone.</summary>
    public override string ToString() => Source is null ? Name : Source + "." + Name;

    /// <summary>
    /// The position of the column called <paramref name="name"/> ("name", or "source.name") in <paramref name="columns"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No column, or more than one, has that name.</exception>
    internal static int Resolve(IReadOnlyList<OutputColumn> columns, string name)
    {
        int found = -1;
        for (int i = 0; i < columns.Count; i++)
        {
            if (!Matches(columns[i], name))
                continue;
            if (found >= 0)
                throw new ArgumentException($"Column '{name}' is ambiguous: qualify it as 'table.column'.", nameof(name));
            found = i;
        }
        if (found < 0)
            throw new ArgumentException($"There is no column '{name}' among ({string.Join(", ", columns)}).", nameof(name));
        return found;
    }

    private static bool Matches(OutputColumn column, string name) =>
        name == column.Name || (column.Source is not null && name.Length == column.Source.Length + 1 + column.Name.Length
            && name.StartsWith(column.Source, StringComparison.Ordinal) && name[column.Source.Length] == '.'
            && name.EndsWith(column.Name, StringComparison.Ordinal));
}
