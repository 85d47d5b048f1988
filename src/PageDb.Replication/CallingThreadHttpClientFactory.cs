using System.Net;
using Amazon.Runtime;

namespace PageDb.Replication;

/// <summary>
/// The HTTP clients of <see cref="S3ReplicaStore"/>: a request made from a thread that is not a thread-pool thread
/// (the replicator's own thread, a command line's main thread) is sent synchronously on that thread, so an
/// application that keeps every pool thread busy does not hold the replica's shipping back; a request from a pool
/// thread is sent asynchronously as usual, so async callers never block a pool thread on I/O.
/// </summary>
/// <remarks>
/// Why: AWSSDK.S3 has only async calls on .NET, and the continuations of its awaits, socket completions included,
/// run on the thread pool. The replicator waits for each call on its own thread, but with the pool saturated (capped,
/// or flooded with blocking work) that wait never ended: <c>A_replicator_ships_to_s3_while_every_pool_thread_is_busy</c>
/// shipped nothing in 30 s before this factory. <see cref="HttpMessageHandler.Send"/> of <see cref="SocketsHttpHandler"/>
/// does the whole exchange (HTTP/1.1) on the calling thread, and the SDK's awaits of the completed task it returns
/// continue on that thread too. The handler is configured as the SDK configures its own: the config's connection
/// limit, redirects, proxy and timeout, no automatic decompression.
/// </remarks>
internal sealed class CallingThreadHttpClientFactory : HttpClientFactory
{
    /// <inheritdoc/>
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var sockets = new SocketsHttpHandler
        {
            AllowAutoRedirect = clientConfig.AllowAutoRedirect,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (clientConfig.MaxConnectionsPerServer is { } connections)
            sockets.MaxConnectionsPerServer = connections;
        if (clientConfig.GetWebProxy() is { } proxy)
        {
            sockets.Proxy = proxy;
            sockets.UseProxy = true;
        }
        var client = new HttpClient(new CallingThreadHandler(sockets));
        if (clientConfig.Timeout is { } timeout)
            client.Timeout = timeout;
        return client;
    }

    /// <summary>A response body whose reads from a thread that is not a pool thread are done synchronously on it.</summary>
    private sealed class CallingThreadContent : StreamContent
    {
        public CallingThreadContent(HttpContent received, CancellationToken cancellationToken)
            : base(new CallingThreadStream(received.ReadAsStream(cancellationToken)))
        {
            foreach (KeyValuePair<string, IEnumerable<string>> header in received.Headers)
                Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>
    /// A read-only stream over a response body: an async read from a thread that is not a pool thread reads
    /// synchronously and returns a completed task (cancellation closes the body, as the async read's does).
    /// </summary>
    private sealed class CallingThreadStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Thread.CurrentThread.IsThreadPoolThread)
                return inner.ReadAsync(buffer, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            using (cancellationToken.Register(inner.Dispose))
                return ValueTask.FromResult(inner.Read(buffer.Span));
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Sends synchronously when the caller is not a pool thread (it blocks on the call anyway).</summary>
    private sealed class CallingThreadHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Send is HTTP/1.x only (S3 requests are 1.1); anything else, and pool callers, take the async path.
            if (Thread.CurrentThread.IsThreadPoolThread || request.Version.Major >= 2)
                return base.SendAsync(request, cancellationToken);
            try
            {
                HttpResponseMessage response = Send(request, cancellationToken);
                response.Content = new CallingThreadContent(response.Content, cancellationToken);
                return Task.FromResult(response);
            }
            catch (Exception e)
            {
                return Task.FromException<HttpResponseMessage>(e); // awaited, it throws e as the async path would, cancellation included
            }
        }
    }
}
