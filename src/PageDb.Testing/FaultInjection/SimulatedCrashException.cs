namespace PageDb.Testing.FaultInjection;

/// <summary>
/// Thrown by <see cref="FaultInjectingStorage"/> from the I/O call at which a simulated crash happens, and from every
/// call after it (and from handles opened before it), until <see cref="FaultInjectingStorage.Crash"/> builds the disk the
/// crash left. Deliberately not a <see cref="PageDbException"/>: the engine must not mistake a crash for an I/O error
/// it can handle, and the harness must be able to tell the two apart.
/// </summary>
public sealed class SimulatedCrashException : Exception
{
    /// <summary>Creates the exception for the call numbered <paramref name="callIndex"/>.</summary>
    public SimulatedCrashException(long callIndex)
        : base($"simulated crash (I/O call {callIndex})")
    {
        CallIndex = callIndex;
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    public SimulatedCrashException() : base("simulated crash") { }

    /// <summary>Creates the exception with a message of its own.</summary>
    public SimulatedCrashException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SimulatedCrashException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The number of the I/O call that crashed (or that was refused because the crash had happened).</summary>
    public long CallIndex { get; }
}
