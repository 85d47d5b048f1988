namespace PageDb.Testing.FaultInjection;

/// <summary>The numbered I/O calls of <see cref="FaultInjectingStorage"/>: each can crash or fail on demand.</summary>
public enum IoCallKind
{
    /// <summary><see cref="IStorage.Open"/>.</summary>
    Open,

    /// <summary><see cref="IStorageFile.Read"/>.</summary>
    Read,

    /// <summary><see cref="IStorageFile.Write"/>.</summary>
    Write,

    /// <summary><see cref="IStorageFile.Sync"/>.</summary>
    Sync,

    /// <summary><see cref="IStorageFile.SetLength"/> (truncate or extend).</summary>
    SetLength,

    /// <summary><see cref="IStorage.Delete"/>.</summary>
    Delete,

    /// <summary><see cref="IStorage.SyncDirectory"/>.</summary>
    SyncDirectory,
}

/// <summary>How an injected failure presents itself.</summary>
public enum IoFailure
{
    /// <summary>An I/O error (EIO): the call does nothing and throws.</summary>
    IOError,

    /// <summary>No space left on the device (ENOSPC): a failed write writes nothing, a failed extension does not extend.</summary>
    DiskFull,
}
