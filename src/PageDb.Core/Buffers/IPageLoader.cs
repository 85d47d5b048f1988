namespace PageDb.Core.Buffers;

/// <summary>Fills a buffer-pool frame with the page version a key names, on a cache miss.</summary>
internal interface IPageLoader
{
    /// <summary>Writes exactly one page into <paramref name="destination"/>, verifying it; throws when it cannot.</summary>
    void Load(PageKey key, Span<byte> destination);
}
