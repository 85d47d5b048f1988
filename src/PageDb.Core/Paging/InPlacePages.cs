using System.Runtime.Intrinsics.X86;
using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// Serves pages of the database file to readers in place, straight from the file's memory mapping
/// (<see cref="FileMapping.TryLend"/>): no copy into the buffer pool, no eviction, as LMDB reads. Each page is checked
/// once, as the pool's loader checks a page it loads (checksum, page number, type, and a slotted page's layout), and
/// remembered as verified until the file next changes it; a page that fails is not lent, and the caller reads it
/// through the pool, whose load reports the corruption as it always did.
/// </summary>
/// <remarks>
/// <para>Why a page lent in place cannot change under its reader. The engine asks for a page of the file only for a
/// snapshot in which the page has no log frame (SnapshotPages: the WAL index finds no frame of it at or before the
/// reader's mark). The file changes in three ways, each owned by the writer's process:</para>
/// <list type="number">
/// <item>A checkpoint writes page N. It copies, for each page, the newest frame at or before the oldest open
/// reader's mark, so it writes N only when N has a frame at or before every open reader's mark, and no open reader
/// takes N from the file. A reader that begins during the checkpoint takes a mark at or past the copied one, so it
/// finds that frame too. Readers fall back to the file for N only after the log forgot the frame (a restart, or the
/// older generation forgotten), which happens after the copy has been written and synced: the file then holds exactly
/// what the frame held, and a later checkpoint can write N again only for a newer frame, which those readers' marks
/// would have to include (the same argument again). Page 0 breaks this rule: a checkpoint whose range has no frame of
/// it stamps the file's own header with the new page count, in place, while readers read it from the file (docs/FORMAT.md,
/// "Unlogged growth"), so <see cref="DatabaseFile.TryLend"/> never lends page 0, and it is read as a copy that is read
/// again when a write tore it.</item>
/// <item>A checkpoint shrinks the file to the page count of the mark it copied, which no open reader's mark precedes.
/// A page past the new end was added after that mark, and so has a frame that every reader counting it finds first.
/// Should the argument ever fail (a hostile file's link into such a page), the mapping turns the cut pages into zero
/// pages before the file shrinks (<see cref="FileMapping"/>, rule 2), so the reader reads zeros instead of raising
/// SIGBUS; it never reads a page past the file's end.</item>
/// <item>The file grows and is mapped again (a new, longer view): the bytes of a page do not move in the file, a lent
/// page stays in the region it was lent from, and a region is unmapped only once no loan is out
/// (<see cref="FileMapping"/>, rule 3). The close turns regions still lent into zero pages.</item>
/// </list>
/// <para>The verified state of page N is one int (<see cref="_chunks"/>): bit 0 verified, bit 1 the B+tree checked
/// that the leaf's keys ascend (<see cref="PageHandle.KeyOrderChecked"/>), the rest a generation that
/// <see cref="BeginChange"/> and <see cref="EndChange"/> move on, before and after every write of N into the file
/// and every shrink that cuts it. A reader that finds N unverified checks the bytes in the mapping and then sets the
/// bit with a compare-and-swap against the state it read first, so a write that began or ended meanwhile makes the
/// swap fail and the page is read through the pool instead: a page whose check a write overlapped is never marked
/// verified, and none is lent before its check passed. By rule 1 such an overlap does not happen anyway; the generation
/// makes the table right even if it did.</para>
/// <para>Threads: <see cref="TryLend"/> and the handle's calls from any number of threads; <see cref="BeginChange"/>,
/// <see cref="EndChange"/> and <see cref="ForgetFrom"/> from the file's one writer thread at a time.</para>
/// </remarks>
internal sealed unsafe class InPlacePages
{
    private const int Verified = 1;
    private const int KeysChecked = 2;
    private const int GenerationStep = 4;
    private const int ChunkBits = 12; // 4096 pages per chunk: 16 KiB of state per 16 MiB of 4 KiB pages
    private const int ChunkMask = (1 << ChunkBits) - 1;

    private readonly FileMapping _mapping;
    private readonly string _filePath;
    private readonly Lock _growGate = new(); // serialises adding chunks; readers never take it once their page's chunk exists
    private int[]?[] _chunks = []; // page N's state at [N >> ChunkBits][N & ChunkMask]; replaced (copied) to grow, chunks never move

    /// <summary>Lends pages of <paramref name="pageSize"/> bytes of the file at <paramref name="filePath"/> from <paramref name="mapping"/>.</summary>
    public InPlacePages(FileMapping mapping, int pageSize, string filePath)
    {
        _mapping = mapping;
        PageSize = pageSize;
        _filePath = filePath;
    }

    /// <summary>The size of every page.</summary>
    public int PageSize { get; }

    /// <summary>
    /// Lends page <paramref name="page"/> from the mapping once it is verified (checking it now if it was not): false
    /// when the mapping does not cover it, its check fails, or a change of it overlapped the check; read it through
    /// the pool then. Dispose the handle to return the loan.
    /// </summary>
    public bool TryLend(PageNumber page, out PageHandle handle)
    {
        ref int state = ref StateOf(page);
        if (!_mapping.TryLend(page.FileOffset(PageSize), PageSize, out nint address))
        {
            handle = default;
            return false;
        }
        if (Sse.IsSupported)
        {
            // The page's header and first cell pointers, which its reader reads first, are requested before its
            // state: when neither is in a CPU cache the two misses then overlap instead of following each other.
            Sse.Prefetch0((void*)address);
            Sse.Prefetch0((void*)(address + 64));
        }
        int seen = Volatile.Read(ref state);
        if ((seen & Verified) == 0 && !TryVerify(ref state, seen, page, address))
        {
            _mapping.Return();
            handle = default;
            return false;
        }
        handle = new PageHandle(this, address);
        return true;
    }

    /// <summary>Marks page <paramref name="page"/> unverified before the file's bytes of it change.</summary>
    public void BeginChange(PageNumber page) => NextGeneration(ref StateOf(page));

    /// <summary>Marks page <paramref name="page"/> unverified again once the change is done, failing any check that overlapped it.</summary>
    public void EndChange(PageNumber page) => NextGeneration(ref StateOf(page));

    /// <summary>Marks every page from <paramref name="first"/> on unverified (before and after the file is cut there).</summary>
    public void ForgetFrom(uint first)
    {
        int[]?[] chunks = Volatile.Read(ref _chunks);
        for (long n = first; (n >> ChunkBits) < chunks.Length; n++)
        {
            int[]? chunk = chunks[n >> ChunkBits];
            if (chunk is null)
                n |= ChunkMask; // nothing of this chunk was ever verified: on to the next
            else
                NextGeneration(ref chunk[n & ChunkMask]);
        }
    }

    /// <summary>The bytes of a lent page.</summary>
    internal ReadOnlySpan<byte> Bytes(nint address) => new((void*)address, PageSize);

    /// <summary>Ends a loan (<see cref="PageHandle.Dispose"/>).</summary>
    internal void Return() => _mapping.Return();

    /// <summary>True once the leaf at <paramref name="address"/> had its keys checked since the file last changed it.</summary>
    internal bool KeyOrderChecked(nint address) => (Volatile.Read(ref StateOf(PageHeader.GetPageNumber(Bytes(address)))) & KeysChecked) != 0;

    /// <summary>Records that the leaf at <paramref name="address"/> had its keys checked, unless the file changed it meanwhile.</summary>
    internal void MarkKeyOrderChecked(nint address)
    {
        ref int state = ref StateOf(PageHeader.GetPageNumber(Bytes(address)));
        int seen = Volatile.Read(ref state);
        if ((seen & Verified) != 0)
            Interlocked.CompareExchange(ref state, seen | KeysChecked, seen);
    }

    private bool TryVerify(ref int state, int seen, PageNumber page, nint address)
    {
        ReadOnlySpan<byte> bytes = Bytes(address);
        if (!PageHeader.IsSealed(bytes, page) || !PageHeader.IsKnownType(PageHeader.GetType(bytes)))
            return false;
        if (PageHeader.IsSlotted(bytes) && new SlottedPageReader(bytes, _filePath).FindProblem() is not null)
            return false;
        return Interlocked.CompareExchange(ref state, seen | Verified, seen) == seen;
    }

    private static void NextGeneration(ref int state)
    {
        int seen = Volatile.Read(ref state);
        while (true)
        {
            int next = (seen & ~(Verified | KeysChecked)) + GenerationStep;
            int found = Interlocked.CompareExchange(ref state, next, seen);
            if (found == seen)
                return;
            seen = found;
        }
    }

    private ref int StateOf(PageNumber page)
    {
        uint index = page.Value >> ChunkBits;
        int[]?[] chunks = Volatile.Read(ref _chunks);
        int[]? chunk = index < chunks.Length ? Volatile.Read(ref chunks[index]) : null;
        return ref (chunk ?? AddChunk(index))[page.Value & ChunkMask];
    }

    private int[] AddChunk(uint index)
    {
        lock (_growGate)
        {
            int[]?[] chunks = _chunks;
            if (index >= chunks.Length)
            {
                var grown = new int[]?[Math.Max(index + 1, (uint)chunks.Length * 2)];
                chunks.CopyTo(grown, 0);
                Volatile.Write(ref _chunks, grown);
                chunks = grown;
            }
            int[]? chunk = chunks[index];
            if (chunk is null)
            {
                chunk = new int[1 << ChunkBits];
                Volatile.Write(ref chunks[index], chunk);
            }
            return chunk;
        }
    }
}
