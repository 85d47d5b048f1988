namespace PageDb.Replication;

/// <summary>Where an <see cref="S3ReplicaStore"/> keeps its objects, and how it reaches them.</summary>
public sealed class S3ReplicaStoreOptions
{
    /// <summary>The bucket; it must exist.</summary>
    public required string Bucket { get; init; }

    /// <summary>The store's root inside the bucket: keys are stored as <c>Prefix/key</c>. "" for the bucket's root.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>
    /// The endpoint of an S3-compatible server (MinIO, Ceph, s3rver, a cloud vendor's S3 API); null for Amazon S3
    /// itself in <see cref="Region"/>.
    /// </summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>The region requests are signed for (and, without <see cref="ServiceUrl"/>, sent to).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>
    /// Path-style addressing (<c>endpoint/bucket/key</c>) instead of virtual-hosted style (<c>bucket.endpoint/key</c>):
    /// what most S3-compatible servers need. True by default.
    /// </summary>
    public bool ForcePathStyle { get; init; } = true;

    /// <summary>The access key; null (with <see cref="SecretKey"/>) to use the SDK's default credential chain.</summary>
    public string? AccessKey { get; init; }

    /// <summary>The secret key belonging to <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; init; }

    /// <summary>Keys asked for per list request (at most 1,000 on S3). Smaller values only make lists take more requests.</summary>
    public int ListPageSize { get; init; } = 1000;
}
