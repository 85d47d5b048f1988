using System.Buffers.Binary;
using PageDb.Core.Buffers;

namespace PageDb.Testing;

/// <summary>
/// A buffer-pool loader for tests: writes the key (page number at bytes 0-3, version at 4-11, repeated over the whole
/// page) so a reader can check it got the page it asked for, counts its calls, and can be made to fail or to wait.
/// Thread-safe.
/// </summary>
internal sealed class KeyStampLoader : IPageLoader
{
    private const int StampLength = 12;
    private int _calls;
    private int _failuresLeft;

    /// <summary>Loads that have started (including failed ones).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>How many of the next loads throw <see cref="IOException"/> (after counting themselves and waiting).</summary>
    public int FailNext
    {
        get => Volatile.Read(ref _failuresLeft);
        set => Volatile.Write(ref _failuresLeft, value);
    }

    /// <summary>When set, each load waits for it before filling the page (to hold a load in progress).</summary>
    public ManualResetEventSlim? Gate { get; set; }

    /// <summary>When set, each load gives up its time slice first, so other threads act while loads are in progress.</summary>
    public bool Slow { get; set; }

    /// <summary>Set when a load has started, before it waits for <see cref="Gate"/>.</summary>
    public ManualResetEventSlim Started { get; } = new();

    /// <inheritdoc/>
    public void Load(PageKey key, Span<byte> destination)
    {
        Interlocked.Increment(ref _calls);
        Started.Set();
        Gate?.Wait();
        if (Slow)
            Thread.Sleep(0);
        if (TakeFailure())
            throw new IOException($"injected load failure for {key}");
        Stamp(key, destination);
    }

    private bool TakeFailure()
    {
        int left;
        do
        {
            left = Volatile.Read(ref _failuresLeft);
            if (left == 0)
                return false;
        }
        while (Interlocked.CompareExchange(ref _failuresLeft, left - 1, left) != left);
        return true;
    }

    /// <summary>Fills <paramref name="destination"/> with <paramref name="key"/>'s stamp.</summary>
    public static void Stamp(PageKey key, Span<byte> destination)
    {
        for (int at = 0; at + StampLength <= destination.Length; at += StampLength)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], key.Page.Value);
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(at + 4)..], key.Version);
        }
    }

    /// <summary>True when <paramref name="page"/> holds exactly <paramref name="key"/>'s stamp.</summary>
    public static bool HasStamp(PageKey key, ReadOnlySpan<byte> page)
    {
        for (int at = 0; at + StampLength <= page.Length; at += StampLength)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(page[at..]) != key.Page.Value
                || BinaryPrimitives.ReadUInt64LittleEndian(page[(at + 4)..]) != key.Version)
                return false;
        }
        return true;
    }
}
