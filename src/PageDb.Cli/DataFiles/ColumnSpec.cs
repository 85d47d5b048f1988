namespace PageDb.Cli.DataFiles;

/// <summary>
/// A column as a schema text or a CSV header cell describes it: <c>name</c> alone (its type is inferred from the
/// data), or <c>name:type</c> with <c>?</c> after the type for nullable and <c>key</c> (optionally <c>key N</c>, the
/// 1-based position in a composite key) for a primary-key column.
/// </summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">The declared type; null when it is to be inferred.</param>
/// <param name="Nullable">True when declared nullable (<c>?</c>).</param>
/// <param name="IsKey">True when marked <c>key</c>.</param>
/// <param name="KeyPosition">The N of <c>key N</c>, or null.</param>
internal sealed record ColumnSpec(string Name, ColumnType? Type, bool Nullable = false, bool IsKey = false, int? KeyPosition = null);
