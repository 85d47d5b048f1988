using LiteDB;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// The document class LiteDB's typed collection maps; <see cref="Id"/> is the collection's _id, which LiteDB always
/// indexes (its primary-key index), so no further EnsureIndex is needed.
/// </summary>
public sealed class LiteDbRow
{
    /// <summary>The key, stored as _id.</summary>
    [BsonId(autoId: false)] // otherwise LiteDB replaces an id of 0 by a generated one
    public long Id { get; set; }

    /// <summary>See <see cref="BenchRow.Name"/>.</summary>
    public string Name { get; set; } = "";

    /// <summary>See <see cref="BenchRow.Value"/>.</summary>
    public double Value { get; set; }

    /// <summary>See <see cref="BenchRow.Payload"/>.</summary>
    public string Payload { get; set; } = "";

    /// <summary>The document for a row.</summary>
    public static LiteDbRow From(in BenchRow row) =>
        new() { Id = row.Id, Name = row.Name, Value = row.Value, Payload = row.Payload };

    /// <summary>The row this document holds.</summary>
    public BenchRow ToRow() => new(Id, Name, Value, Payload);
}
