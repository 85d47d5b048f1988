using System.Collections.Concurrent;

namespace PageDb.Records;

/// <summary>
/// The decoded table definitions of one database, so opening a table does not decode its schema each time.
/// Keyed by table name, and an entry is used only when its definition bytes equal those the caller just read from
/// its own transaction's catalog: what it returns is exactly what decoding those bytes would give, so it is never
/// stale (a table dropped and created again with another schema has other bytes) and never shows a caller a table
/// its snapshot does not have (the caller finds the table in its catalog before asking). Thread-safe: readers on
/// any threads share it. Bounded: past <see cref="Capacity"/> entries it is emptied and fills again from use.
/// </summary>
internal sealed class TableDefinitionCache
{
    /// <summary>The number of entries a database keeps by default; a database with more tables decodes some again.</summary>
    public const int DefaultCapacity = 1024;

    private readonly ConcurrentDictionary<string, TableDefinition> _entries = new(StringComparer.Ordinal);

    public TableDefinitionCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>The most entries kept.</summary>
    public int Capacity { get; }

    /// <summary>The number of entries now held (takes every lock of the dictionary: tests and diagnostics only).</summary>
    public int Count => _entries.Count;

    /// <summary>The definition of table <paramref name="name"/> whose catalog entry holds <paramref name="encoded"/>.</summary>
    /// <exception cref="CorruptDatabaseException">The bytes are not a valid table definition.</exception>
    public TableDefinition Get(string name, ReadOnlySpan<byte> encoded, string filePath)
    {
        if (_entries.TryGetValue(name, out TableDefinition? cached) && encoded.SequenceEqual(cached.Encoded))
            return cached;
        TableDefinition decoded = TableDefinition.Decode(name, encoded, filePath);
        if (_entries.Count >= Capacity)
            _entries.Clear();
        _entries[name] = decoded;
        return decoded;
    }
}
