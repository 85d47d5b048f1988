using PageDb.Records;

namespace PageDb.Execution;

/// <summary>Joins produce the left row's values followed by the right row's.</summary>
internal static class JoinedRow
{
    public static Row Concat(Row left, Row right)
    {
        var values = new Value[left.Count + right.Count];
        left.Values.CopyTo(values);
        right.Values.CopyTo(values.AsSpan(left.Count));
        return new Row(values);
    }

    public static OutputColumn[] Columns(PlanOperator left, PlanOperator right) => [.. left.Columns, .. right.Columns];
}
