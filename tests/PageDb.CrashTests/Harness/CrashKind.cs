namespace PageDb.CrashTests.Harness;

/// <summary>What a <see cref="CrashRun"/>'s crashes take down.</summary>
internal enum CrashKind
{
    /// <summary>The machine (power loss, OS crash): unsynced writes are lost, kept or torn (<see cref="Testing.FaultInjection.FaultInjectingStorage.Crash"/>).</summary>
    PowerLoss,

    /// <summary>Only the process: the OS keeps every write (<see cref="Testing.FaultInjection.FaultInjectingStorage.CrashProcess"/>).</summary>
    ProcessCrash,
}
