using PageDb.Core.Pages;
using PageDb.Engine;

namespace PageDb.Replication;

/// <summary>
/// How a replicator started in a new process continues the generation its predecessor shipped, instead of storing a
/// new snapshot: only when it can prove from the store's listing and its own database that the local history passes
/// through the last shipped state, so the next segment (the pages changed since that state) extends the chain exactly.
/// <para>
/// 1. The local history: the open reads the fingerprints of the commits its log recovered before its truncating
///    checkpoint copies them into the file (<see cref="RecoveredHistory"/>), and the replicator holds the state the open
///    ended at from before the application could commit (<see cref="Opened"/>). The candidates are the database file
///    as it was before the log, then the state after each recovered commit, the last being the opened state.
/// 2. The last shipped state: the newest generation with a snapshot whose segments 1..k are all listed, without a gap;
///    segment k (the newest cut of that sequence that names one of sequence k - 1's checksums) is read and carries the
///    state hash (<see cref="DatabaseStateHash"/>) and page count of the database after it.
/// 3. The opened state is hashed whole (every page read once); each candidate's hash follows from it by the recovered
///    fingerprints. The newest candidate equal to the shipped state (page count and hash) is where shipping goes on:
///    the next segment holds the pages of the recovered commits after it (<see cref="ResumePoint.OwedPages"/>) and of
///    every commit since the open, as they stand then. Applied to the shipped state, equal to the candidate, it gives
///    exactly that later state.
/// 4. Anything else starts a new generation and says why (<see cref="ReplicationStats.Resume"/>): an empty store, a
///    generation without segments, a gap, a segment of format version 1 (no state hash), or no equal candidate (the
///    file was checkpointed past commits that were never shipped, or was restored or replaced from elsewhere).
/// </para>
/// The constructor runs on the opening thread; the rest on the replicator's.
/// </summary>
internal sealed class GenerationResume(ReplicationSource source, RecoveredHistory? history, HeldSnapshot opened) : IDisposable
{
    private HeldSnapshot? _opened = opened;

    /// <summary>The state the open ended at, held until <see cref="Find"/> hands it over or this is disposed.</summary>
    public HeldSnapshot? Opened => _opened;

    /// <summary>Lets the opened state go unless <see cref="Find"/> handed it over.</summary>
    public void Dispose()
    {
        _opened?.Dispose();
        _opened = null;
    }

    /// <summary>
    /// Finds the last shipped state in <paramref name="listing"/> (reading its segment with <paramref name="get"/>) and
    /// the newest local candidate equal to it; null, with <paramref name="reason"/>, when the generation cannot be
    /// continued. A point found owns the opened state (<see cref="ResumePoint.Opened"/>).
    /// </summary>
    /// <exception cref="ReplicaStoreException">The store failed a call.</exception>
    public ResumePoint? Find(IReadOnlyList<ReplicaObject> listing, Func<string, byte[]?> get, out string reason)
    {
        (ReplicaGeneration? generation, Segment? last, reason) = LastShipped(listing, get);
        if (generation is null || last is null)
            return null;
        if (history is null || history.LastCommit != _opened!.Mark)
        {
            reason = "the database was changed during its open, before the replicator started";
            return null;
        }
        if (!history.Complete)
        {
            reason = "a frame of the log recovered at open could not be read";
            return null;
        }
        (int? candidate, DatabaseStateHash hash) = NewestEqualState(history, last.Info);
        if (candidate is not { } found)
        {
            reason = $"the database's history does not pass through the last shipped state of generation {generation.Name} (segment {last.Info.Sequence}): it was checkpointed past commits that were never shipped, or replaced";
            return null;
        }
        var owed = new SortedSet<uint>();
        for (int i = found + 1; i < history.Commits.Count; i++)
            owed.UnionWith(history.Commits[i].Pages.Select(p => p.Page.Value));
        reason = $"continued generation {generation.Name} after segment {last.Info.Sequence}";
        HeldSnapshot opened = _opened!;
        _opened = null;
        return new ResumePoint(generation.Name, last.Info, last.Checksum, opened, [.. owed.Select(p => new PageNumber(p))], history.Commits.Count - found - 1, hash);
    }

    /// <summary>The newest generation with a snapshot and its last segment, when the listing shows an unbroken chain.</summary>
    private (ReplicaGeneration? Generation, Segment? Last, string Reason) LastShipped(IReadOnlyList<ReplicaObject> listing, Func<string, byte[]?> get)
    {
        ReplicaGeneration? generation = ReplicaNames.Parse(listing).LastOrDefault(g => g.HasSnapshot);
        if (generation is null)
            return (null, null, "the store holds no generation to continue");
        long sequence = 0;
        while (generation.SegmentsAt(sequence + 1).Any())
            sequence++;
        if (generation.HasSegmentAfter(sequence, RestoreTarget.Latest))
            return (generation, null, $"generation {generation.Name} lacks segment {sequence + 1} before later ones");
        if (sequence == 0)
            return (generation, null, $"generation {generation.Name} has no segment, so its last state is not recorded");
        HashSet<ulong> previous = sequence == 1 ? [generation.SnapshotChecksum] : [.. generation.SegmentsAt(sequence - 1).Select(s => s.Checksum)];
        string problem = $"no segment {sequence} of generation {generation.Name} could be read whole";
        foreach (SegmentName candidate in generation.SegmentsAt(sequence))
        {
            if (get(candidate.Key) is not { } bytes)
                continue;
            Segment segment;
            try
            {
                segment = SegmentFormat.Decode(bytes, candidate.Key, source.PageSize);
            }
            catch (CorruptDatabaseException e)
            {
                problem = e.Message;
                continue;
            }
            if (segment.Info.Sequence != sequence || !previous.Contains(segment.Info.Previous))
                problem = $"segment '{candidate.Key}' does not continue the chain of generation {generation.Name}";
            else if (segment.Info.StateHash is null)
                problem = $"segment '{candidate.Key}' was written by an older build (format version 1, no state hash)";
            else
                return (generation, segment, "");
        }
        return (generation, null, problem);
    }

    /// <summary>
    /// Step 3: the index of the newest recovered commit whose state equals <paramref name="shipped"/> (-1: the file
    /// before the log), and the hash of the opened state.
    /// </summary>
    private (int? Candidate, DatabaseStateHash Opened) NewestEqualState(RecoveredHistory history, SegmentInfo shipped)
    {
        var opened = new DatabaseStateHash();
        opened.Resize(_opened!.PageCount);
        var image = new byte[source.PageSize];
        for (uint page = 0; page < _opened.PageCount; page++)
        {
            try
            {
                source.ReadPage(_opened, new PageNumber(page), image);
                opened.Set(new PageNumber(page), image);
            }
            catch (CorruptDatabaseException)
            {
                opened.SetUnreadable(new PageNumber(page));
            }
        }
        DatabaseStateHash state = opened.Clone();
        state.Resize(history.FilePageCount);
        foreach ((uint page, ulong? fingerprint) in history.FilePages)
        {
            if (fingerprint is { } known)
                state.Set(new PageNumber(page), known);
            else
                state.SetUnreadable(new PageNumber(page));
        }
        int? found = Equal(state, shipped) ? -1 : null;
        for (int i = 0; i < history.Commits.Count; i++)
        {
            RecoveredHistory.Commit commit = history.Commits[i];
            state.Resize(commit.PageCount);
            foreach ((PageNumber page, ulong fingerprint) in commit.Pages)
            {
                if (page.Value < commit.PageCount)
                    state.Set(page, fingerprint);
            }
            if (Equal(state, shipped))
                found = i;
        }
        return (found, opened);
    }

    private static bool Equal(DatabaseStateHash hash, SegmentInfo shipped) =>
        hash.UnreadablePages == 0 && hash.PageCount == shipped.DatabaseSize && hash.Value == shipped.StateHash;
}

/// <summary>Where a restarted replicator continues a generation (<see cref="GenerationResume"/>).</summary>
/// <param name="Generation">The generation's name.</param>
/// <param name="Last">The header of its last segment.</param>
/// <param name="Checksum">That segment's checksum, which the next one names as its previous.</param>
/// <param name="Opened">The state the open ended at, held: the mark shipping goes on from.</param>
/// <param name="OwedPages">Pages the recovered commits after the shipped state changed, which the next segment must hold too.</param>
/// <param name="OwedCommits">How many recovered commits came after the shipped state.</param>
/// <param name="Hash">The hash of the opened state (ahead of the store by the owed pages, which the next segment ships).</param>
internal sealed record ResumePoint(string Generation, SegmentInfo Last, ulong Checksum, HeldSnapshot Opened, List<PageNumber> OwedPages, int OwedCommits, DatabaseStateHash Hash);
