using System.Runtime.InteropServices;

namespace PageDb;

/// <summary>
/// Many threads sleep until one thread wakes them all, with one system call on Linux (a futex) instead of one per
/// sleeper: a group sync's leader wakes its followers this way (<c>GroupSync</c> in PageDb.Wal), where waking seven
/// threads one by one took the leader 84-103 us on this project's loaded 2-core machine (docs/benchmarks.md).
/// Elsewhere, a monitor.
/// <para>
/// Protocol: the event holds a generation. A waiter reads <see cref="Generation"/> while the condition it waits for is
/// still false (under the owner's lock, so the read comes before the waker's <see cref="WakeAll"/>), then calls
/// <see cref="Wait"/> with it; <see cref="WakeAll"/> advances the generation and wakes every sleeper. A wait for a
/// generation that has passed returns at once, so no wake-up is lost; a wait may also end early (a later generation, a
/// signal), so the waiter looks at its condition again.
/// </para>
/// </summary>
internal sealed class WakeAllEvent
{
    /// <summary>
    /// Spin rounds before sleeping, as <c>Task.Wait</c> and the <c>ManualResetEventSlim</c> under it did (35 each):
    /// on a quiet machine a short sync often ends within them, and a sleeper costs a wake-up.
    /// </summary>
    private const int SpinRounds = 70;

    /// <summary>The generation, in the pinned object heap so the futex's address stays put.</summary>
    private readonly int[] _generation = GC.AllocateArray<int>(1, pinned: true);

    private readonly bool _futex;

    /// <summary>A futex on Linux, a monitor elsewhere.</summary>
    public WakeAllEvent()
        : this(futex: LinuxNative.IsSupported)
    {
    }

    /// <summary>With <paramref name="futex"/> false, the monitor used where there is no futex (tests run both on Linux).</summary>
    internal WakeAllEvent(bool futex) => _futex = futex;

    /// <summary>The current generation: read it before <see cref="Wait"/>, while the awaited condition is still false.</summary>
    public int Generation => Volatile.Read(ref _generation[0]);

    /// <summary>Returns once the generation is no longer <paramref name="generation"/> (and, rarely, earlier: look again).</summary>
    public void Wait(int generation)
    {
        var spinner = new SpinWait();
        for (int i = 0; i < SpinRounds && Generation == generation; i++)
            spinner.SpinOnce(sleep1Threshold: -1);
        if (_futex)
        {
            while (Generation == generation)
                LinuxNative.FutexWait(Address, generation);
            return;
        }
        lock (_generation)
        {
            while (Generation == generation)
                Monitor.Wait(_generation);
        }
    }

    /// <summary>Advances the generation and wakes every thread waiting for the one before.</summary>
    public void WakeAll()
    {
        if (_futex)
        {
            Interlocked.Increment(ref _generation[0]);
            LinuxNative.FutexWakeAll(Address);
            return;
        }
        lock (_generation)
        {
            Interlocked.Increment(ref _generation[0]);
            Monitor.PulseAll(_generation);
        }
    }

    private nint Address => Marshal.UnsafeAddrOfPinnedArrayElement(_generation, 0);
}
