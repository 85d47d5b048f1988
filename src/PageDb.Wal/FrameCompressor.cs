using ZstdSharp;

namespace PageDb.Wal;

/// <summary>
/// zstd compression of frame images. A frame is stored compressed only when that is strictly smaller than a page.
/// One compressor per writer (single-threaded); decompressors are per thread because readers run concurrently.
/// </summary>
internal sealed class FrameCompressor : IDisposable
{
    /// <summary>zstd's fastest regular level: page images are small, and the commit path pays the CPU.</summary>
    private const int Level = 1;

    /// <summary>The writer's compression context.</summary>
    private readonly Compressor _compressor = new(Level);

    /// <summary>Each reading thread's decompression context (a context is not safe to share).</summary>
    [ThreadStatic]
    private static Decompressor? t_decompressor;

    /// <summary>
    /// Compresses <paramref name="image"/> into <paramref name="destination"/> and returns the length, or 0 when the
    /// result would not be smaller than the page (the caller then stores the page as it is).
    /// </summary>
    public int TryCompress(ReadOnlySpan<byte> image, Span<byte> destination) =>
        _compressor.TryWrap(image, destination[..(image.Length - 1)], out int written) ? written : 0;

    /// <summary>Decompresses a stored image; false when it does not decompress to exactly one page.</summary>
    public static bool TryDecompress(ReadOnlySpan<byte> stored, Span<byte> page)
    {
        t_decompressor ??= new Decompressor();
        try
        {
            return t_decompressor.TryUnwrap(stored, page, out int written) && written == page.Length;
        }
        catch (ZstdException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _compressor.Dispose();
}
