using System.Diagnostics;

namespace PageDb.Core.Buffers;

/// <summary>
/// Scan-resistant replacement in the manner of 2Q (Johnson and Shasha, 1994), without the ghost queue: a frame
/// enters a FIFO <em>probation</em> queue on its first access and moves to an LRU <em>protected</em> queue when accessed
/// again while still cached. Victims come from probation while it holds more than a quarter of the tracked frames, so a
/// scan that touches each page once cycles through probation and leaves the protected (hot) set alone.
/// All operations are O(1) apart from skipping frames the pool cannot evict; no allocation after construction.
/// </summary>
/// <remarks>
/// <para>Why the skipping stays short: the pool tracks only clean, loaded frames, so the frames skipped are the pinned ones;
/// pins are short (one descent or one handle) and a frame is pinned by an access, which moves it to its queue's newest
/// end, so the oldest frame is normally free. Counted over a <c>--quick</c> W3 run with a 2 MiB pool: 177,432 victims,
/// one frame looked at for each (docs/benchmarks.md, "The replacer's victim walk").</para>
/// <para>Invariants (<see cref="Verify"/>): every tracked frame is in exactly one queue; <c>_prev</c>/<c>_next</c> form two
/// well-formed doubly linked lists whose lengths are <c>_count[Probation]</c> and <c>_count[Protected]</c>.</para>
/// </remarks>
internal sealed class TwoQueueReplacer : IReplacer
{
    private const byte None = 0;
    private const byte Probation = 1;
    private const byte Protected = 2;
    private const int Nil = -1;

    private readonly int[] _prev;
    private readonly int[] _next;
    private readonly byte[] _queue;
    private readonly int[] _head = [Nil, Nil, Nil]; // per queue: the oldest (next victim)
    private readonly int[] _tail = [Nil, Nil, Nil]; // per queue: the newest
    private readonly int[] _count = new int[3];

    /// <summary>Creates a replacer for frames 0..<paramref name="capacity"/>-1.</summary>
    public TwoQueueReplacer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _prev = new int[capacity];
        _next = new int[capacity];
        _queue = new byte[capacity];
    }

    /// <summary>Frames tracked in the probation queue.</summary>
    public int ProbationCount => _count[Probation];

    /// <summary>Frames tracked in the protected queue.</summary>
    public int ProtectedCount => _count[Protected];

    /// <inheritdoc/>
    public void RecordAccess(int frame)
    {
        byte queue = _queue[frame];
        if (queue != None)
            Unlink(frame);
        Append(frame, queue == None ? Probation : Protected);
    }

    /// <inheritdoc/>
    public void Remove(int frame)
    {
        if (_queue[frame] != None)
            Unlink(frame);
    }

    /// <inheritdoc/>
    public bool Contains(int frame) => _queue[frame] != None;

    /// <inheritdoc/>
    public int ChooseVictim(IEvictionCandidates candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        bool probationFirst = _count[Probation] * 4 > _count[Probation] + _count[Protected] || _count[Protected] == 0;
        byte first = probationFirst ? Probation : Protected;
        byte second = probationFirst ? Protected : Probation;
        int victim = OldestEvictable(first, candidates);
        if (victim == Nil)
            victim = OldestEvictable(second, candidates);
        if (victim != Nil)
            Unlink(victim);
        return victim;
    }

    /// <summary>Checks the invariants in the remarks; throws <see cref="InvalidOperationException"/> when one is broken. For tests.</summary>
    public void Verify()
    {
        int tracked = 0;
        for (int frame = 0; frame < _queue.Length; frame++)
        {
            if (_queue[frame] != None)
                tracked++;
        }
        int listed = VerifyList(Probation) + VerifyList(Protected);
        if (listed != tracked)
            throw new InvalidOperationException($"2Q replacer: {tracked} frames tracked but {listed} linked");
    }

    /// <summary>Walks one queue checking its links, membership and count; returns its length.</summary>
    private int VerifyList(byte queue)
    {
        int length = 0, prev = Nil;
        for (int frame = _head[queue]; frame != Nil; frame = _next[frame])
        {
            if (_queue[frame] != queue || _prev[frame] != prev || ++length > _queue.Length)
                throw new InvalidOperationException($"2Q replacer: queue {queue} is broken at frame {frame}");
            prev = frame;
        }
        if (_tail[queue] != prev || _count[queue] != length)
            throw new InvalidOperationException($"2Q replacer: queue {queue} has tail {_tail[queue]} and count {_count[queue]}, expected {prev} and {length}");
        return length;
    }

    private int OldestEvictable(byte queue, IEvictionCandidates candidates)
    {
        for (int frame = _head[queue]; frame != Nil; frame = _next[frame])
        {
            if (candidates.IsEvictable(frame))
                return frame;
        }
        return Nil;
    }

    private void Append(int frame, byte queue)
    {
        Debug.Assert(_queue[frame] == None, "a frame is in one queue at a time");
        _queue[frame] = queue;
        _prev[frame] = _tail[queue];
        _next[frame] = Nil;
        if (_tail[queue] == Nil)
            _head[queue] = frame;
        else
            _next[_tail[queue]] = frame;
        _tail[queue] = frame;
        _count[queue]++;
    }

    private void Unlink(int frame)
    {
        byte queue = _queue[frame];
        Debug.Assert(queue != None, "only tracked frames are unlinked");
        int prev = _prev[frame], next = _next[frame];
        if (prev == Nil)
            _head[queue] = next;
        else
            _next[prev] = next;
        if (next == Nil)
            _tail[queue] = prev;
        else
            _prev[next] = prev;
        _queue[frame] = None;
        _count[queue]--;
    }
}
