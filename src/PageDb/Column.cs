namespace PageDb;

/// <summary>A column of a table: its name, its type and whether it accepts nulls.</summary>
/// <param name="Name">The column's name, unique within its table (compared ordinally).</param>
/// <param name="Type">The type every non-null value must have.</param>
/// <param name="Nullable">True when the column accepts nulls.</param>
public sealed record Column(string Name, ColumnType Type, bool Nullable = false);
