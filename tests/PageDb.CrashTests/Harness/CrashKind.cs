namespace PageDb.CrashTests.Harness;

/// <summary>What a <see cref="CrashRun"/>'s crashes take down.</summary>
internal enum CrashKind
{
    /// <summary>The machine (power loss, OS crash): unsynced writes are lost, kept or torn (<see cref="Testing.FaultInjection.FaultInjectingStorage.Crash"/>).</summary>
    PowerLoss,

    /// <summary>A power loss that drops every write not yet synced.</summary>
    UnsyncedDropped,

    /// <summary>A power loss that tears every unsynced write at 512-byte sectors (each sector kept or lost on its own).</summary>
    TornSectors,

    /// <summary>Only the process: the OS keeps every write (<see cref="Testing.FaultInjection.FaultInjectingStorage.CrashProcess"/>).</summary>
    ProcessCrash,
}
