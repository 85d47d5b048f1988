using System.Diagnostics;
using System.Security.Cryptography;
using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// Appends frames to the WAL file: builds each frame (header, optional compression, chained checksum) in a write
/// buffer, writes the buffer when it fills or at commit, grows the file in preallocated steps, syncs when asked, and
/// rewrites the header when the log restarts. Single-threaded: only the writer (or recovery) uses it, but for what
/// says it runs beside the writer (<see cref="SyncForGroup"/>, <see cref="GrowAhead"/>).
/// <para>
/// Cheap syncs: the file grows by writing zeros for a whole <see cref="WalOptions.GrowthStep"/>, and the next sync
/// after a growth is one full (metadata) sync, so a commit only overwrites allocated blocks and every other sync is
/// a data sync. This is safe because recovery stops at the first frame whose salt or chained checksum fails, and
/// zeroed space has salt 0, which never validates (WalFormat invariant 2): preallocated space always reads as the end
/// of the log. The full sync is not made at the growth itself: a commit at <c>Durability.Normal</c> that grew the
/// file would otherwise wait for it (W7's slowest commits: a sync per growth step instead of none), and at
/// <c>Durability.Full</c> the commit's own sync serves.
/// </para>
/// Failure: any exception from a write, sync or resize is recorded in the engine's one <see cref="FailureState"/>
/// (<see cref="WalOptions.Failure"/>); once anything failed, every later call throws <see cref="PageDbIOException"/>
/// until the log is reopened (and recovered). A failed sync is never retried.
/// </summary>
internal sealed class WalWriter : IDisposable
{
    private const int BufferPages = 16;

    private static readonly byte[] s_zeros = new byte[64 * 1024];

    private readonly IStorageFile _file;
    private readonly WalOptions _options;
    private readonly FrameCompressor? _compressor;

    /// <summary>Frames built but not yet written: they belong at <see cref="_flushedEnd"/> onwards.</summary>
    private readonly byte[] _buffer;

    private int _buffered;
    private long _flushedEnd;

    /// <summary>
    /// The end of the space grown with zeros. Changed only under <see cref="_growLock"/>, after the zeros are written
    /// (Volatile): the writer writes frames only below it, <see cref="GrowAhead"/> writes zeros only at or past it.
    /// </summary>
    private long _allocatedEnd;

    /// <summary>Serializes growing, shrinking and restarting the file between the writer and <see cref="GrowAhead"/>.</summary>
    private readonly Lock _growLock = new();

    private ulong _sequence;
    private uint _salt1;
    private uint _salt2;
    private uint _nonce;

    /// <summary>The checksum of the last frame built (the chain continues from it).</summary>
    private ulong _chain;

    /// <summary>End and checksum of the last commit frame: where a rollback rewinds to.</summary>
    private long _committedEnd;
    private ulong _committedChain;

    /// <summary>
    /// Whether frames may be stored zero-run elided: only under a header of a version that has them, so a generation
    /// begun by an older build stays readable by it until the next restart writes a current header.
    /// </summary>
    private bool _elideZeroRuns;

    /// <summary>The format version of the generation's header.</summary>
    private uint _version;

    /// <summary>
    /// False only when nothing was written since the last successful <see cref="Sync"/>, which may then skip the system
    /// call. True at open: the file may hold writes of an earlier open that were never synced.
    /// </summary>
    private bool _hasUnsyncedWrites = true;

    /// <summary>
    /// True when a commit was written without a sync (Durability.Normal) and no sync has covered it since:
    /// a power loss now could take an acknowledged commit, so closing must checkpoint, or tell the caller it could not.
    /// </summary>
    private bool _hasUnsyncedCommits;

    /// <summary>
    /// True when the file grew since the last sync: the next <see cref="Sync"/> includes the metadata (the new size).
    /// Set after the growth's writes and cleared before the sync that covers them (Interlocked), so a sync on another
    /// thread can never clear it without covering the growth.
    /// </summary>
    private bool _grownSinceSync;

    /// <summary>Creates a writer that continues a recovered log at <paramref name="log"/>'s committed end.</summary>
    public WalWriter(IStorageFile file, WalOptions options, RecoveredLog log)
    {
        _file = file;
        _options = options;
        _compressor = options.CompressFrames ? new FrameCompressor() : null;
        _buffer = new byte[BufferPages * WalFormat.FrameSize(options.PageSize)];
        _allocatedEnd = file.Length;
        _sequence = log.CheckpointSequence;
        _salt1 = log.Salt1;
        _salt2 = log.Salt2;
        _committedEnd = _flushedEnd = log.CommittedEnd;
        _committedChain = _chain = log.CommittedChecksum;
        _nonce = NewNonce();
        _elideZeroRuns = log.Version >= WalFormat.ZeroRunElisionVersion;
        _version = log.Version;
    }

    /// <summary>The log file's path.</summary>
    public string Path => _file.Path;

    /// <summary>True after a failed write or sync (of the log, or anywhere in the engine sharing its failure state).</summary>
    public bool IsFailed => _options.Failure.IsFailed;

    /// <summary>
    /// True when the generation's header is of a version with two log files (3 or later): only then may the log switch
    /// to the other file, since a build that wrote an older header would not read the second file.
    /// </summary>
    public bool CanSwitch => _version >= WalFormat.TwoFileVersion;

    /// <summary>True when a commit was written since the last successful sync and syncs are enabled (see the field).</summary>
    public bool HasUnsyncedCommits => _hasUnsyncedCommits;

    /// <summary>The checkpoint sequence of the current generation.</summary>
    public ulong CheckpointSequence => _sequence;

    /// <summary>The end of the log in bytes, frames still in the buffer included.</summary>
    public long End => _flushedEnd + _buffered;

    /// <summary>
    /// The end of what has been written to the file: a <see cref="SyncForGroup"/> started after reading it covers every
    /// byte before it. Any thread (Volatile).
    /// </summary>
    public long WrittenEnd => Volatile.Read(ref _flushedEnd);

    /// <summary>
    /// True when the generation's header is of a version with count frames (4 or later): only then may a frame be
    /// one, since a build that wrote an older header would not read it.
    /// </summary>
    public bool CanLogCounts => _version >= WalFormat.CountFrameVersion;

    /// <summary>
    /// True when the generation's header is of a version whose commits may grow the database without logging page 0
    /// (5 or later, <see cref="WalFormat"/> invariant 6): a build that wrote an older header takes page 0's count as
    /// the database size.
    /// </summary>
    public bool CanGrowWithoutHeader => _version >= WalFormat.UnloggedGrowthVersion;

    /// <summary>
    /// Builds a frame of <paramref name="page"/> (a commit frame when <paramref name="commitSize"/> is not 0) and returns
    /// its file offset, stored length and how the image is stored: with <paramref name="countOnly"/> as a count frame
    /// of the image's count field (<see cref="WalFormat"/> invariant 5; the caller has checked <see cref="CanLogCounts"/>
    /// and that the rest of the image is the page's previous frame), else zstd-compressed when compression is on and
    /// it helps, else without its longest zero run when it has one (<see cref="ZeroRunElision"/>), else as it is.
    /// </summary>
    public long Append(PageNumber page, ReadOnlySpan<byte> image, uint commitSize, bool countOnly, out int storedLength, out FrameEncoding encoding)
    {
        ThrowIfFailed();
        Debug.Assert(!countOnly || CanLogCounts, "count frames only under a header of a version that has them");
        int maxFrame = WalFormat.FrameSize(_options.PageSize);
        if (_buffer.Length - _buffered < maxFrame)
            Flush();
        Span<byte> frame = _buffer.AsSpan(_buffered, maxFrame);
        Span<byte> stored = frame[WalFormat.FrameHeaderSize..];
        (encoding, storedLength) = countOnly ? EncodeCount(image, stored) : Encode(image, stored);
        var header = new WalFrameHeader(frame);
        header.Write(page, commitSize, _salt1, _salt2, _nonce, encoding, storedLength);
        _chain = WalFormat.FrameChecksum(_chain, frame, storedLength);
        header.SetChecksum(_chain);
        long offset = End;
        _buffered += WalFormat.FrameSize(storedLength);
        return offset;
    }

    private static (FrameEncoding Encoding, int StoredLength) EncodeCount(ReadOnlySpan<byte> image, Span<byte> stored)
    {
        image.Slice(WalFormat.CountFieldOffset, WalFormat.CountStoredLength).CopyTo(stored);
        return (FrameEncoding.Count, WalFormat.CountStoredLength);
    }

    private (FrameEncoding Encoding, int StoredLength) Encode(ReadOnlySpan<byte> image, Span<byte> stored)
    {
        int length = _compressor?.TryCompress(image, stored) ?? 0;
        if (length > 0)
            return (FrameEncoding.Zstd, length);
        length = _elideZeroRuns ? ZeroRunElision.TryElide(image, stored) : 0;
        if (length > 0)
            return (FrameEncoding.ZeroRunElided, length);
        image.CopyTo(stored);
        return (FrameEncoding.Page, image.Length);
    }

    /// <summary>
    /// Writes the buffered frames (the last a commit frame) and makes them the rewind point. The sync is the log's
    /// <see cref="GroupSync"/>'s; <paramref name="acknowledgedUnsynced"/> says the commit is acknowledged without one
    /// (Durability.Normal), so closing must sync it or say it could not.
    /// </summary>
    public void Commit(bool acknowledgedUnsynced)
    {
        Flush();
        if (acknowledgedUnsynced && _options.SyncEnabled)
            _hasUnsyncedCommits = true;
        _committedEnd = _flushedEnd;
        _committedChain = _chain;
    }

    /// <summary>The end of the last commit frame written: where the next commit's frames begin. Writer only.</summary>
    public long CommittedEnd => _committedEnd;

    /// <summary>
    /// A data sync of everything written so far, for the group sync's leader: it may run on another thread while the
    /// writer appends the next transaction (the file takes concurrent positional writes), so it changes none of the
    /// writer's fields (but the growth flag, which is Interlocked); the writer's own <see cref="Sync"/> may therefore
    /// sync once more than needed. A full sync when the file grew since the last sync, as for <see cref="Sync"/>.
    /// </summary>
    public void SyncForGroup()
    {
        ThrowIfFailed();
        if (!_options.SyncEnabled)
            return;
        try
        {
            _file.Sync(includeMetadata: Interlocked.Exchange(ref _grownSinceSync, false));
        }
        catch (Exception e)
        {
            Fail(e, "Sync");
        }
    }

    /// <summary>
    /// After a failure left commits appended but never durable: zeroes the frame header at <paramref name="offset"/>
    /// (the end of the last durable commit), so recovery, for which salt 0 never validates, ends the log there and
    /// none of those commits is seen after a reopen, even while the OS still shows their frames (a failed fsync keeps
    /// them in the page cache), then tries to sync it. Best effort, and so errors are dropped: the engine has failed
    /// already, and a power loss takes frames whose sync failed anyway. On a real file that sync is refused once a
    /// sync of the file failed (FileStorageFile trusts no sync after a failure, since two may run at once), so the
    /// zeroed header reaches the disk with the kernel's write-back. May run beside the writer's thread, whose writes
    /// all lie past the commits it covers.
    /// </summary>
    public void InvalidateFrom(long offset)
    {
        try
        {
            _file.Write(offset, s_zeros.AsSpan(0, WalFormat.FrameHeaderSize));
            _file.Sync(includeMetadata: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort (see above); any error, for the group sync's leader must still wake the waiters after this.
        }
    }

    /// <summary>Drops the frames after the last commit; the next frame overwrites them under a new nonce.</summary>
    public void Rollback()
    {
        _buffered = 0;
        if (_flushedEnd != _committedEnd)
            _nonce = NewNonce();
        _flushedEnd = _committedEnd;
        _chain = _committedChain;
    }

    /// <summary>
    /// Makes everything written so far durable: a data sync (the space is preallocated), or a full one when the file
    /// grew since the last sync.
    /// </summary>
    public void Sync()
    {
        ThrowIfFailed();
        if (!_options.SyncEnabled || !_hasUnsyncedWrites)
            return;
        try
        {
            _file.Sync(includeMetadata: Interlocked.Exchange(ref _grownSinceSync, false));
            _hasUnsyncedWrites = false;
            _hasUnsyncedCommits = false;
        }
        catch (Exception e)
        {
            Fail(e, "Sync");
        }
    }

    /// <summary>
    /// Starts generation <paramref name="sequence"/>: new salts and nonce, header rewritten in place, frames from the
    /// start again over the old space. The caller has published the restart to readers first.
    /// </summary>
    public void StartGeneration(ulong sequence)
    {
        ThrowIfFailed();
        Debug.Assert(_buffered == 0 && _flushedEnd == _committedEnd, "a restart with uncommitted frames");
        _sequence = sequence;
        (_salt1, _salt2) = NewSalts();
        _nonce = NewNonce();
        Span<byte> bytes = stackalloc byte[WalFormat.HeaderSize];
        var header = new WalHeader(bytes);
        header.Write(_options.PageSize, _options.DatabaseId, sequence, _salt1, _salt2);
        WriteAt(0, bytes);
        _elideZeroRuns = true;
        _version = WalFormat.Version;
        lock (_growLock)
            Volatile.Write(ref _allocatedEnd, Math.Max(_allocatedEnd, WalFormat.HeaderSize));
        _committedEnd = _flushedEnd = WalFormat.HeaderSize;
        _committedChain = _chain = header.Checksum;
    }

    /// <summary>
    /// Makes a brand-new (or reset) file durable: preallocates the first growth step, syncs it in full, then the
    /// directory entry through <paramref name="storage"/>.
    /// </summary>
    public void MakeNewFileDurable(IStorage storage)
    {
        EnsureAllocated(WalFormat.HeaderSize);
        if (!_options.SyncEnabled)
            return;
        try
        {
            Volatile.Write(ref _grownSinceSync, false);
            _file.Sync(includeMetadata: true);
            storage.SyncDirectory(_file.Path);
            _hasUnsyncedWrites = false;
        }
        catch (Exception e)
        {
            Fail(e, "Sync");
        }
    }

    /// <summary>
    /// Allocates the first growth step past the header now (zeros and a full sync), so the first commits of a
    /// generation begun by a switch into a new or shrunk file sync only data. The file is then at least
    /// <see cref="FirstStepEnd"/> long.
    /// </summary>
    public void AllocateFirstStep() => EnsureAllocated(WalFormat.HeaderSize + 1);

    /// <summary>The end of a log file's first growth step of <paramref name="growthStep"/> bytes: what <see cref="AllocateFirstStep"/> allocates up to.</summary>
    public static long FirstStepEnd(int growthStep) => (WalFormat.HeaderSize + (long)growthStep) / growthStep * growthStep;

    /// <summary>Shrinks the file to its header (after a restart); the next commit grows it again.</summary>
    public void TruncateToHeader()
    {
        ThrowIfFailed();
        lock (_growLock)
        {
            try
            {
                _file.SetLength(WalFormat.HeaderSize);
                Volatile.Write(ref _allocatedEnd, WalFormat.HeaderSize);
                if (_options.SyncEnabled)
                    _file.Sync(includeMetadata: true);
            }
            catch (Exception e)
            {
                Fail(e, "Truncate");
            }
        }
    }

    /// <summary>The end of the space grown with zeros (Volatile): frames below it overwrite allocated blocks. Any thread.</summary>
    public long AllocatedEnd => Volatile.Read(ref _allocatedEnd);

    /// <summary>
    /// True when the frames written so far reach past half of the last growth step (and syncs are on): the file should
    /// grow one more step (<see cref="GrowAhead"/>) before a commit has to grow it itself. Any thread.
    /// </summary>
    public bool NeedsGrowthAhead =>
        _options.SyncEnabled && Volatile.Read(ref _allocatedEnd) - WrittenEnd < _options.GrowthStep / 2;

    /// <summary>
    /// Grows the file by one step of zeros past its allocated end, on a thread beside the writer (the background
    /// checkpointer's), so the commit that would have crossed the allocated end finds the space there. Does nothing
    /// unless <see cref="NeedsGrowthAhead"/>. Beside the writer because the zeros lie past every byte it may write until
    /// the new end is published, which happens under <see cref="_growLock"/> once they are written; a writer that needs
    /// the space sooner waits for the lock and finds it grown. Like the writer's own growth it does not sync: it marks
    /// the next sync a full one (<see cref="_grownSinceSync"/>, set before the new end is published, so every sync that
    /// can cover a frame in the new space includes the new size). Syncing here held the lock for a full fsync, which a
    /// writer at a few microseconds per commit reached before it ended (half a step is about 225 one-row commits). A
    /// crash part-way leaves zeros (or nothing) past the log's end, which recovery reads as the end (salt 0 never
    /// validates), as after the writer's own growth.
    /// </summary>
    /// <exception cref="PageDbIOException">A write failed: the engine is failed until reopened.</exception>
    public void GrowAhead()
    {
        lock (_growLock)
        {
            if (!NeedsGrowthAhead || IsFailed)
                return;
            ZeroFillTo(_allocatedEnd + _options.GrowthStep);
        }
    }

    /// <summary>Copies the stored image of a frame still in the write buffer (an uncommitted frame of the writer).</summary>
    public bool TryCopyBuffered(long fileOffset, int storedLength, Span<byte> destination)
    {
        if (fileOffset < _flushedEnd)
            return false;
        int start = checked((int)(fileOffset - _flushedEnd)) + WalFormat.FrameHeaderSize;
        _buffer.AsSpan(start, storedLength).CopyTo(destination);
        return true;
    }

    /// <summary>Throws when an earlier write or sync failed.</summary>
    public void ThrowIfFailed()
    {
        if (_options.Failure.Report() is not null)
            ThrowFailed(_file.Path);
    }

    /// <inheritdoc/>
    public void Dispose() => _compressor?.Dispose();

    private void Flush()
    {
        if (_buffered == 0)
            return;
        EnsureAllocated(End);
        WriteAt(_flushedEnd, _buffer.AsSpan(0, _buffered));
        Volatile.Write(ref _flushedEnd, _flushedEnd + _buffered);
        _buffered = 0;
    }

    /// <summary>Grows the file past <paramref name="end"/> in whole steps of zeros; the next <see cref="Sync"/> is a full one.</summary>
    private void EnsureAllocated(long end)
    {
        if (end <= Volatile.Read(ref _allocatedEnd) || !_options.SyncEnabled)
            return;
        lock (_growLock)
        {
            if (end <= _allocatedEnd) // GrowAhead grew it meanwhile
                return;
            _hasUnsyncedWrites = true;
            long step = _options.GrowthStep;
            ZeroFillTo((end + step - 1) / step * step);
        }
    }

    /// <summary>
    /// Writes zeros from the allocated end to <paramref name="target"/>, one 64 KiB write at a time, each after a check
    /// that nothing failed meanwhile (no I/O once the engine is failed); then marks the next sync a full one and only
    /// after that publishes <paramref name="target"/> as the allocated end, so every sync that can cover a frame in the
    /// new space includes the new size. The caller holds <see cref="_growLock"/>: the writer's own growth
    /// (<see cref="EnsureAllocated"/>) or the one beside it (<see cref="GrowAhead"/>).
    /// </summary>
    /// <exception cref="PageDbIOException">A write failed, now or earlier: the engine is failed until reopened.</exception>
    private void ZeroFillTo(long target)
    {
        for (long offset = _allocatedEnd; offset < target; offset += s_zeros.Length)
        {
            ThrowIfFailed();
            try
            {
                _file.Write(offset, s_zeros.AsSpan(0, (int)Math.Min(s_zeros.Length, target - offset)));
            }
            catch (Exception e)
            {
                Fail(e, "Grow");
            }
        }
        Volatile.Write(ref _grownSinceSync, true);
        Volatile.Write(ref _allocatedEnd, target);
    }

    private void WriteAt(long offset, ReadOnlySpan<byte> bytes)
    {
        ThrowIfFailed();
        _hasUnsyncedWrites = true;
        try
        {
            _file.Write(offset, bytes);
        }
        catch (Exception e)
        {
            Fail(e, "Write");
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(Exception e, string operation)
    {
        _options.Failure.Fail(e);
        if (e is PageDbIOException)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        throw new PageDbIOException(_file.Path, operation, e);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn, System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowFailed(string path) =>
        throw new PageDbIOException(path,
            $"An earlier write or sync of the write-ahead log '{path}' failed; reopen the database to recover.");

    /// <summary>Random salts; salt-1 is never 0 (zeroed space must never validate).</summary>
    internal static (uint Salt1, uint Salt2) NewSalts()
    {
        uint salt1;
        do
            salt1 = NewNonce();
        while (salt1 == 0);
        return (salt1, NewNonce());
    }

    private static uint NewNonce()
    {
        Span<byte> bytes = stackalloc byte[4];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }
}
