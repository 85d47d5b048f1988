namespace PageDb.Sql.Tests.SqlLogic;

/// <summary>One record of a sqllogictest file: a statement that must succeed or fail, or a query with its expected values.</summary>
public sealed record SqlLogicRecord(
    int Line,
    string Sql,
    bool IsQuery,
    bool ExpectError,
    string Types,
    string Sort,
    string? Label,
    IReadOnlyList<string> Expected);
