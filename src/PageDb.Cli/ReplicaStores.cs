using PageDb.Replication;

namespace PageDb.Cli;

/// <summary>
/// The replica store a command-line argument names: <c>s3://bucket/prefix</c> (Amazon S3, or the S3-compatible server
/// at <see cref="EndpointVariable"/>; credentials from the AWS SDK's usual environment variables and files) or
/// <c>file:///path</c> (a folder). Anything else is not a replica URL (a backup file, for <c>restore</c>).
/// </summary>
internal static class ReplicaStores
{
    /// <summary>The environment variable naming an S3-compatible endpoint (for example http://127.0.0.1:9000).</summary>
    public const string EndpointVariable = "PAGEDB_S3_ENDPOINT";

    public static bool IsReplicaUrl(string text) =>
        text.StartsWith("s3://", StringComparison.Ordinal) || text.StartsWith("file://", StringComparison.Ordinal);

    /// <summary>The store <paramref name="url"/> names; dispose it after use.</summary>
    public static IReplicaStore Open(string url)
    {
        if (url.StartsWith("file://", StringComparison.Ordinal))
            return new FolderReplicaStore(new Uri(url).LocalPath);
        if (!url.StartsWith("s3://", StringComparison.Ordinal))
            throw new CliException($"'{url}' is not a replica URL (s3://bucket/prefix or file:///folder)");
        string rest = url["s3://".Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? rest : rest[..slash];
        if (bucket.Length == 0)
            throw new CliException($"'{url}' names no bucket");
        string? endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        return new S3ReplicaStore(new S3ReplicaStoreOptions
        {
            Bucket = bucket,
            Prefix = slash < 0 ? "" : rest[(slash + 1)..],
            ServiceUrl = string.IsNullOrEmpty(endpoint) ? null : new Uri(endpoint),
            AccessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"),
            SecretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"),
        });
    }

    /// <summary>The description of the store <paramref name="url"/> names and its generations, oldest first.</summary>
    /// <exception cref="CliException">The store failed the listing.</exception>
    public static (string Store, IReadOnlyList<ReplicaGeneration> Generations) ListGenerations(string url)
    {
        IReplicaStore store = Open(url);
        try
        {
            return (store.ToString()!, PageDatabase.ListReplicaGenerationsAsync(store).GetAwaiter().GetResult());
        }
        catch (ReplicaStoreException e)
        {
            throw new CliException(e.Message);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }
}
