using System.Globalization;
using System.Text.RegularExpressions;

namespace PageDb.Replication;

/// <summary>
/// The keys of a replica's objects, so that a listing alone says what each object is and in which order they apply.
/// Keys are relative to the store's root (a folder, or a bucket and key prefix), which holds one database's replica:
/// <code>
/// {generation}/snapshot-{checksum}.pagedb                the snapshot starting the generation (a backup file)
/// {generation}/{sequence}-{cut time}-{checksum}.segment  segment 1, 2, ... (<see cref="SegmentFormat"/>)
/// generation = {start time}-{8 random hex digits}          e.g. 20261206T170412345Z-3fa9c2d1
/// times      = yyyyMMddTHHmmssfffZ (UTC); sequence = 12 decimal digits; checksum = XxHash64, 16 hex digits
/// </code>
/// Generations and segments sort by name in the order they were made; the checksum in the name lets a retried put of
/// the same sequence (the first attempt stored after all) sit beside the acknowledged one instead of over it, and a
/// restore picks the newest attempt that continues the chain. Other keys under the prefix are ignored.
/// </summary>
internal static partial class ReplicaNames
{
    private const string TimeFormat = "yyyyMMdd'T'HHmmssfff'Z'";

    /// <summary>A new generation's name, starting at <paramref name="startedAt"/>.</summary>
    public static string NewGeneration(DateTimeOffset startedAt) =>
        $"{Format(startedAt)}-{Random.Shared.Next():x8}";

    public static string SnapshotKey(string generation, ulong checksum) => $"{generation}/snapshot-{checksum:x16}.pagedb";

    public static string SegmentKey(string generation, SegmentInfo info, ulong checksum) =>
        $"{generation}/{info.Sequence:D12}-{Format(info.CutAt)}-{checksum:x16}.segment";

    /// <summary>The generations found in a listing of the store, oldest first; keys that name nothing are skipped.</summary>
    public static List<ReplicaGeneration> Parse(IReadOnlyList<ReplicaObject> objects)
    {
        var generations = new SortedDictionary<string, ReplicaGeneration>(StringComparer.Ordinal);
        foreach (ReplicaObject item in objects)
        {
            Match match = ObjectPattern().Match(item.Key);
            if (!match.Success)
                continue;
            string name = match.Groups["generation"].Value;
            if (!generations.TryGetValue(name, out ReplicaGeneration? generation))
                generations[name] = generation = new ReplicaGeneration(name, ParseTime(match.Groups["started"].Value));
            ulong checksum = ulong.Parse(match.Groups["checksum"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            generation.Bytes += item.Size;
            if (match.Groups["sequence"].Success)
                generation.AddSegment(new SegmentName(item.Key, long.Parse(match.Groups["sequence"].Value, CultureInfo.InvariantCulture), ParseTime(match.Groups["cut"].Value), checksum));
            else
                generation.SetSnapshot(item.Key, checksum);
        }
        return [.. generations.Values];
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        new(DateTime.SpecifyKind(DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture), DateTimeKind.Utc));

    [GeneratedRegex(@"^(?<generation>(?<started>\d{8}T\d{9}Z)-[0-9a-f]{8})/(?:snapshot-|(?<sequence>\d{12})-(?<cut>\d{8}T\d{9}Z)-)(?<checksum>[0-9a-f]{16})\.(?:pagedb|segment)$", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectPattern();
}

/// <summary>A segment as its key names it.</summary>
/// <param name="Key">The object's key.</param>
/// <param name="Sequence">Its place in the generation.</param>
/// <param name="CutAt">When it was cut.</param>
/// <param name="Checksum">Its checksum.</param>
internal readonly record struct SegmentName(string Key, long Sequence, DateTimeOffset CutAt, ulong Checksum);
