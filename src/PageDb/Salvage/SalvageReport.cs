namespace PageDb;

/// <summary>What <see cref="PageDatabase.Salvage"/> recovered from a damaged database, and what it could not read.</summary>
public sealed class SalvageReport
{
    /// <summary>Pages of the damaged database looked at (every page of the file, and of its WAL's last commit).</summary>
    public long PagesSurveyed { get; init; }

    /// <summary>Pages that failed their checksum, page number or type check, or were missing.</summary>
    public IReadOnlyList<long> UnreadablePages { get; init; } = [];

    /// <summary>Trees and tables recovered into the new database, with the entries (rows) each holds.</summary>
    public IReadOnlyList<(string Name, long Entries)> Recovered { get; init; } = [];

    /// <summary>
    /// Entries of leaf pages no readable tree reached and no hole could be matched to (a damaged catalog, or a damaged
    /// interior page of several trees), kept in the tree <see cref="LostAndFoundTree"/> keyed by page number (4 bytes,
    /// big-endian) then the original key.
    /// </summary>
    public long LostAndFoundEntries { get; init; }

    /// <summary>The name of the tree holding <see cref="LostAndFoundEntries"/> (absent when there are none).</summary>
    public string LostAndFoundTree { get; init; } = "";

    /// <summary>Everything that could not be read or recovered, one line each, naming the page or object.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>True when every page was readable and nothing was lost.</summary>
    public bool IsComplete => UnreadablePages.Count == 0 && Problems.Count == 0 && LostAndFoundEntries == 0;
}
