using PageDb.Core.Pages;
using PageDb.Engine;

namespace PageDb.Replication;

/// <summary>
/// Works out what applying a segment's steps (<see cref="SegmentFormat"/>) to a database yields, step by step, without
/// writing anything: each step's page versions (a delta laid over the version before it: the previous step's, or the
/// database's) must pass their page checksums before the step counts, so a damaged page stops the replay at the
/// commit before it; a target stops it at the last step it allows. The caller applies the result as one commit.
/// </summary>
internal static class SegmentReplay
{
    /// <summary>
    /// Replays <paramref name="segment"/> (read from <paramref name="key"/>) over the latest state of
    /// <paramref name="database"/>, which holds <paramref name="commits"/> commits of the generation, stopping before
    /// the first step <paramref name="allows"/> refuses. With <paramref name="appliedInPart"/> those commits are past
    /// the previous object's, from steps of this segment applied before (by this chain, or by one whose replica position
    /// recorded it, <see cref="SegmentChain.InSegment"/>): the steps through them are skipped. Otherwise the database
    /// stands at the previous object and every step is applied, even one whose commits equal the previous object's
    /// (<see cref="SegmentFormat"/> invariant 2 lets a step stand for no commit: a continued generation's catch-up
    /// step when nothing is owed), so commit counts alone never decide what is applied.
    /// </summary>
    public static ReplayResult Run(PageDatabase database, Segment segment, string key, long commits, bool appliedInPart, Func<SegmentStep, bool> allows)
    {
        var source = new ReplicationSource(database);
        using HeldSnapshot state = source.Hold();
        int pageSize = source.PageSize;
        var versions = new Dictionary<uint, byte[]>(); // page -> its version after the last step counted
        var stepVersions = new List<(uint Page, byte[] Image)>();
        uint size = state.PageCount;
        SegmentStep? last = null;
        int counted = 0;
        foreach (SegmentStep step in segment.Steps)
        {
            if (appliedInPart && step.Commits <= commits)
            {
                counted++;
                continue;
            }
            if (!allows(step))
                return new ReplayResult(Pages(versions, size), size, last, Complete: false, Damage: null);
            stepVersions.Clear();
            foreach (PageRecord record in step.Pages)
            {
                byte[] image = new byte[pageSize];
                string? damage = Version(record, image, size, versions, source, state);
                if (damage is null)
                {
                    try
                    {
                        PageHeader.Verify(image, record.Page, key);
                    }
                    catch (CorruptDatabaseException e)
                    {
                        damage = e.Message;
                    }
                }
                if (damage is not null)
                {
                    long first = (last?.Commits ?? commits) + 1;
                    string at = step.Commits == first ? $"commit {step.Commits}" : $"the commits {first} to {step.Commits}";
                    return new ReplayResult(Pages(versions, size), size, last, Complete: false,
                        $"{at} of segment '{key}' cannot be applied, page {record.Page.Value}: {damage}");
                }
                stepVersions.Add((record.Page.Value, image));
            }
            foreach ((uint page, byte[] image) in stepVersions)
                versions[page] = image;
            if (step.DatabaseSize < size)
            {
                foreach (uint gone in versions.Keys.Where(p => p >= step.DatabaseSize).ToList())
                    versions.Remove(gone);
            }
            size = step.DatabaseSize;
            last = step;
            counted++;
        }
        return new ReplayResult(Pages(versions, size), size, last, Complete: counted == segment.Steps.Count, Damage: null);

        // The counted steps as one commit. Page 0 states the size after them (HeaderPageCount): a segment's steps carry
        // it stamped whenever the size changes, and a step of an older build or one that skipped it gets it here, so
        // the database (and a read replica's state hash) holds the page 0 a snapshot of that state reads.
        List<(PageNumber Page, ReadOnlyMemory<byte> Image)> Pages(Dictionary<uint, byte[]> versions, uint size)
        {
            if (!versions.ContainsKey(PageNumber.Header.Value) && size != state.PageCount)
            {
                var header = new byte[pageSize];
                source.ReadPage(state, PageNumber.Header, header);
                versions[PageNumber.Header.Value] = header;
            }
            if (versions.TryGetValue(PageNumber.Header.Value, out byte[]? stamped))
                HeaderPageCount.Stamp(stamped, size);
            return [.. versions.Where(v => v.Key < size).OrderBy(v => v.Key).Select(v => (new PageNumber(v.Key), (ReadOnlyMemory<byte>)v.Value))];
        }
    }

    /// <summary>The version of <paramref name="record"/>'s page the step yields, into <paramref name="image"/>; null, or what is wrong.</summary>
    private static string? Version(PageRecord record, byte[] image, uint size, Dictionary<uint, byte[]> versions, ReplicationSource source, HeldSnapshot state)
    {
        if (!record.IsDelta)
        {
            record.Payload.Span.CopyTo(image);
            return null;
        }
        uint page = record.Page.Value;
        if (page >= size)
            return $"a delta for a page past the database size {size}, which has no version before it";
        if (versions.TryGetValue(page, out byte[]? before))
            before.CopyTo(image, 0);
        else
            source.ReadPage(state, record.Page, image);
        return PageDelta.TryApply(record.Payload.Span, image);
    }
}

/// <summary>What <see cref="SegmentReplay.Run"/> yields.</summary>
/// <param name="Pages">The pages the counted steps changed, as they stand after the last, ascending: one commit to apply.</param>
/// <param name="DatabaseSize">Pages in the database after the last counted step.</param>
/// <param name="Last">The last step counted (applied now), null when none was.</param>
/// <param name="Complete">True when every step of the segment is now in the database.</param>
/// <param name="Damage">Why the replay stopped before a step, when a page of it was damaged; null otherwise.</param>
internal sealed record ReplayResult(IReadOnlyList<(PageNumber Page, ReadOnlyMemory<byte> Image)> Pages, uint DatabaseSize, SegmentStep? Last, bool Complete, string? Damage);
