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
///    ended at from before the application could commit (<see cref="Opened"/>). The histories of earlier opens that
///    never shipped a cut come from <see cref="RecoveredHistoryFile"/>; each is taken only when it ends exactly at the
///    state the next one starts from (<see cref="Chain"/>). The candidates are the database file as it was before the
///    oldest history taken, then the state after each commit of those histories, the last being the opened state.
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
        (int? candidate, DatabaseStateHash hash, List<RecoveredHistory.Commit> commits) = NewestEqualState(history, last.Info);
        if (candidate is not { } found)
        {
            reason = $"the database's history does not pass through the last shipped state of generation {generation.Name} (segment {last.Info.Sequence}): it was checkpointed past commits that were never shipped, or replaced";
            return null;
        }
        var owed = new SortedSet<uint>();
        for (int i = found + 1; i < commits.Count; i++)
            owed.UnionWith(commits[i].Pages.Select(p => p.Page.Value));
        int owedCommits = commits.Count - found - 1;
        reason = $"continued generation {generation.Name} after segment {last.Info.Sequence}";
        HeldSnapshot opened = _opened!;
        _opened = null;
        return new ResumePoint(generation.Name, generation.StartedAt, last.Info, last.Checksum, opened,
            owedCommits == 0 ? null : [.. owed.Select(p => new PageNumber(p))], owedCommits, hash);
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
        if (generation.HasSegmentAfter(sequence))
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
    /// Step 3: the index of the newest recovered commit (in <see cref="Chain"/>'s order) whose state equals
    /// <paramref name="shipped"/> (-1: the state before the chain's first commit), and the hash of the opened state.
    /// </summary>
    private (int? Candidate, DatabaseStateHash Opened, List<RecoveredHistory.Commit> Commits) NewestEqualState(RecoveredHistory history, SegmentInfo shipped)
    {
        DatabaseStateHash opened = HashOpened();
        (DatabaseStateHash state, List<RecoveredHistory.Commit> commits) = Chain(history, opened.Clone());
        int? found = Equal(state, shipped) ? -1 : null;
        for (int i = 0; i < commits.Count; i++)
        {
            RecoveredHistory.Commit commit = commits[i];
            state.Resize(commit.PageCount);
            foreach ((PageNumber page, ulong fingerprint) in commit.Pages)
            {
                if (page.Value < commit.PageCount)
                    state.Set(page, fingerprint);
            }
            if (Equal(state, shipped))
                found = i;
        }
        return (found, opened, commits);
    }

    /// <summary>Every page of the opened state read once and hashed (a page failing its checksum is unreadable).</summary>
    private DatabaseStateHash HashOpened() => DatabaseStateHash.OfSnapshot(source, _opened!, markUnreadable: true);

    /// <summary>
    /// Walks back from the opened state (<paramref name="state"/>, changed in place) through this open's history and
    /// then the earlier ones (<see cref="RecoveredHistory.Earlier"/>), as long as each ends exactly at the state reached
    /// (every page it wrote has its last fingerprint there, and the page count is its last commit's) and was read whole:
    /// returns the state before the oldest history taken and the commits of the histories taken, oldest first. The
    /// state after commit i is then the state returned with commits 0..i laid over, and after the last one the opened
    /// state, because each history taken turns the state before it into the state after it, page by page.
    /// </summary>
    private static (DatabaseStateHash Before, List<RecoveredHistory.Commit> Commits) Chain(RecoveredHistory history, DatabaseStateHash state)
    {
        List<RecoveredHistory> histories = [.. history.Earlier, history];
        int first = histories.Count;
        while (first > 0 && histories[first - 1].Complete && EndsAt(histories[first - 1], state))
            Unwind(histories[--first], state);
        return (state, [.. histories.Skip(first).SelectMany(h => h.Commits)]);
    }

    /// <summary>True when <paramref name="state"/> is what <paramref name="history"/>'s commits left: its page count, and each page they wrote as the last of them wrote it.</summary>
    private static bool EndsAt(RecoveredHistory history, DatabaseStateHash state)
    {
        if (history.Commits.Count == 0)
            return state.PageCount == history.FilePageCount;
        uint pageCount = history.Commits[^1].PageCount;
        if (state.PageCount != pageCount)
            return false;
        var last = new Dictionary<uint, ulong>();
        foreach (RecoveredHistory.Commit commit in history.Commits)
        {
            foreach ((PageNumber page, ulong fingerprint) in commit.Pages)
                last[page.Value] = fingerprint;
        }
        return last.All(p => p.Key >= pageCount || state.Holds(new PageNumber(p.Key), p.Value));
    }

    /// <summary>Turns the state after <paramref name="history"/>'s commits into the database file as it was before them.</summary>
    private static void Unwind(RecoveredHistory history, DatabaseStateHash state)
    {
        uint after = state.PageCount;
        state.Resize(history.FilePageCount);
        for (uint page = after; page < history.FilePageCount; page++)
            state.SetUnreadable(new PageNumber(page)); // cut off by a later commit: unknown unless the file pages name it
        foreach ((uint page, ulong? fingerprint) in history.FilePages)
        {
            if (page >= history.FilePageCount)
                continue;
            if (fingerprint is { } known)
                state.Set(new PageNumber(page), known);
            else
                state.SetUnreadable(new PageNumber(page));
        }
    }

    private static bool Equal(DatabaseStateHash hash, SegmentInfo shipped) =>
        hash.UnreadablePages == 0 && hash.PageCount == shipped.DatabaseSize && hash.Value == shipped.StateHash;
}

/// <summary>Where a restarted replicator continues a generation (<see cref="GenerationResume"/>).</summary>
/// <param name="Generation">The generation's name.</param>
/// <param name="GenerationStartedAt">When its snapshot was taken (<see cref="ReplicaGeneration.StartedAt"/>).</param>
/// <param name="Last">The header of its last segment.</param>
/// <param name="Checksum">That segment's checksum, which the next one names as its previous.</param>
/// <param name="Opened">The state the open ended at, held: the mark shipping goes on from.</param>
/// <param name="OwedPages">
/// Pages the recovered commits after the shipped state changed, which the next segment must hold too (in a catch-up
/// step, <see cref="SegmentCut"/>); null when no commit came after it (the store holds the opened state: nothing to
/// catch up, so no step and no segment is owed). A commit that only grew the database owes a list without pages.
/// </param>
/// <param name="OwedCommits">How many recovered commits came after the shipped state.</param>
/// <param name="Hash">The hash of the opened state (ahead of the store by the owed pages, which the next segment ships).</param>
internal sealed record ResumePoint(string Generation, DateTimeOffset GenerationStartedAt, SegmentInfo Last, ulong Checksum, HeldSnapshot Opened, List<PageNumber>? OwedPages, int OwedCommits, DatabaseStateHash Hash);
