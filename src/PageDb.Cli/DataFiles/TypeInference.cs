namespace PageDb.Cli.DataFiles;

/// <summary>
/// Infers column types from every value of the file: the first of Int64, Double, Decimal, Boolean, DateTime (ISO 8601)
/// that reads every non-null value of a column, else String; nullable when a value is null or missing. A column with no
/// values at all is a nullable String. Bytes are never guessed: declare them in a schema.
/// A number type reads a value only when the text is that number's canonical form, the text export writes back
/// (<see cref="DataFileValues.IsCanonical"/>): a ZIP code <c>00501</c>, <c>+5</c> or <c>1e3</c> keeps its column a
/// String, since as a number it would come back as <c>501</c>, <c>5</c> or <c>1000</c>. Money such as <c>1.50</c> is
/// Decimal, which keeps its scale, where Double would write <c>1.5</c>.
/// </summary>
internal sealed class TypeInference
{
    private static readonly ColumnType[] Candidates = [ColumnType.Int64, ColumnType.Double, ColumnType.Decimal, ColumnType.Boolean, ColumnType.DateTime];
    private const int AllCandidates = (1 << 5) - 1;

    private readonly List<ColumnState> _columns = [];
    private long _records;

    /// <summary>Notes one record: its fields by column (a column first met in this record may lie past earlier ones).</summary>
    public void Observe(IReadOnlyList<FieldText> fields)
    {
        _records++;
        for (int column = 0; column < fields.Count; column++)
        {
            if (column == _columns.Count)
                _columns.Add(new ColumnState { Fits = AllCandidates });
            Observe(_columns[column], fields[column]);
        }
    }

    /// <summary>The inferred type and nullability of column <paramref name="column"/>.</summary>
    public (ColumnType Type, bool Nullable) Result(int column)
    {
        if (column >= _columns.Count)
            return (ColumnType.String, true);
        ColumnState state = _columns[column];
        bool nullable = state.Values < _records;
        if (state.Values == 0)
            return (ColumnType.String, true);
        for (int i = 0; i < Candidates.Length; i++)
            if ((state.Fits & (1 << i)) != 0)
                return (Candidates[i], nullable);
        return (ColumnType.String, nullable);
    }

    private static void Observe(ColumnState state, FieldText value)
    {
        if (value.Text is null)
            return;
        state.Values++;
        for (int i = 0; i < Candidates.Length; i++)
            if ((state.Fits & (1 << i)) != 0 && !Reads(Candidates[i], value))
                state.Fits &= ~(1 << i);
    }

    /// <summary>A JSON string is text or a date, never a number or a boolean; a number only in its canonical form.</summary>
    private static bool Reads(ColumnType type, FieldText value) =>
        (!value.TextOnly || type == ColumnType.DateTime) && DataFileValues.TryParse(value.Text!, type) is { } parsed
        && (!IsNumber(type) || DataFileValues.IsCanonical(value.Text!, parsed, type));

    private static bool IsNumber(ColumnType type) => type is ColumnType.Int64 or ColumnType.Double or ColumnType.Decimal;

    private sealed class ColumnState
    {
        public int Fits; // bit i set while Candidates[i] has read every value
        public long Values; // non-null values seen
    }
}
