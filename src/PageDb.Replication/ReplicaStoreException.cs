namespace PageDb.Replication;

/// <summary>A replica store failed an operation: refused it, could not be reached, or had an I/O error. Retrying may help.</summary>
public class ReplicaStoreException : PageDbException
{
    /// <summary>Creates the exception for <paramref name="operation"/> on <paramref name="key"/> of <paramref name="store"/>.</summary>
    public ReplicaStoreException(string store, string operation, string key, Exception innerException)
        : base($"{operation} of '{key}' failed on {store}: {innerException?.Message}", innerException)
    {
        Store = store;
        Key = key;
    }

    /// <summary>The store, as its description names it (a folder, or a bucket and prefix at an endpoint).</summary>
    public string Store { get; }

    /// <summary>The key (or the listing's prefix) the operation was on.</summary>
    public string Key { get; }
}
