using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace PageDb.Replication;

/// <summary>
/// An <see cref="IReplicaStore"/> in Amazon S3 or any S3-compatible object storage, through AWSSDK.S3: key "a/b" is the
/// object <c>Prefix/a/b</c> of the bucket. Puts are atomic by S3's own rules. Safe from many threads (the client is).
/// </summary>
/// <remarks>
/// Two settings keep the bytes stored exactly the bytes put on servers that implement older S3 semantics: checksums
/// are computed and validated only when an operation requires them (<see cref="RequestChecksumCalculation.WHEN_REQUIRED"/>,
/// <see cref="ResponseChecksumValidation.WHEN_REQUIRED"/>; SDK 4 otherwise adds trailing checksums), and puts are sent
/// with a plain body, not aws-chunked (<see cref="PutObjectRequest.UseChunkEncoding"/> false): a server that does not
/// decode chunked uploads (s3rver, for one) otherwise stores the chunk signatures as part of the object.
/// A call made from a thread outside the thread pool (the replicator's own) does its HTTP exchange synchronously on
/// that thread (<see cref="CallingThreadHttpClientFactory"/>), so a saturated pool does not stall shipping.
/// </remarks>
public sealed class S3ReplicaStore : IReplicaStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _root; // "" or the options' prefix ending in '/'
    private readonly int _listPageSize;
    private readonly string _description;

    /// <summary>A store in the bucket and under the prefix <paramref name="options"/> name.</summary>
    public S3ReplicaStore(S3ReplicaStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Bucket);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ListPageSize);
        string prefix = options.Prefix.Trim('/');
        if (prefix.Length > 0)
            ReplicaKey.Validate(prefix, nameof(options));
        _bucket = options.Bucket;
        _root = prefix.Length == 0 ? "" : prefix + "/";
        _listPageSize = options.ListPageSize;
        _description = $"s3://{_bucket}/{_root}" + (options.ServiceUrl is { } url ? $" at {url}" : $" in {options.Region}");
        _client = CreateClient(options);
    }

    /// <inheritdoc/>
    public override string ToString() => _description;

    /// <inheritdoc/>
    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        // The SDK sends a seekable stream from its start; anything else is buffered, so the put is what is left to read.
        Stream body = content.CanSeek && content.Position == 0 ? content : await BufferAsync(content, cancellationToken).ConfigureAwait(false);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _root + key,
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        };
        await CallAsync("put", key, () => _client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> TryGetAsync(string key, Stream destination, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        ArgumentNullException.ThrowIfNull(destination);
        try
        {
            using GetObjectResponse response = await _client.GetObjectAsync(_bucket, _root + key, cancellationToken).ConfigureAwait(false);
            await response.ResponseStream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return false;
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw Failure("get", key, e);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReplicaObject>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ReplicaKey.ValidatePrefix(prefix);
        var objects = new List<ReplicaObject>();
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _root + prefix, MaxKeys = _listPageSize };
        ListObjectsV2Response response;
        do
        {
            response = await CallAsync("list", prefix, () => _client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
            foreach (S3Object item in response.S3Objects ?? [])
                objects.Add(new ReplicaObject(item.Key[_root.Length..], item.Size ?? 0));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return objects;
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        return CallAsync("delete", key, () => _client.DeleteObjectAsync(_bucket, _root + key, cancellationToken));
    }

    /// <summary>Closes the client's connections.</summary>
    public void Dispose() => _client.Dispose();

    private static AmazonS3Client CreateClient(S3ReplicaStoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            HttpClientFactory = new CallingThreadHttpClientFactory(), // a saturated thread pool must not stall the replicator
        };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        return options.AccessKey is { } accessKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, options.SecretKey ?? ""), config)
            : new AmazonS3Client(config);
    }

    private async Task<T> CallAsync<T>(string operation, string key, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw Failure(operation, key, e);
        }
    }

    /// <summary>What the store (or the way to it) did wrong, as opposed to cancellation or a bug of ours.</summary>
    private static bool IsStoreFailure(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException;

    private ReplicaStoreException Failure(string operation, string key, Exception e) => new(_description, operation, key, e);

    private static async Task<Stream> BufferAsync(Stream content, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        return buffer;
    }
}
