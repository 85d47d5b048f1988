namespace PageDb.Wal;

/// <summary>How a frame's page image is stored after its header (the frame flags, layout in <see cref="WalFormat"/>).</summary>
internal enum FrameEncoding : byte
{
    /// <summary>The whole page as it is: flags 0, stored length = page size.</summary>
    Page = 0,

    /// <summary>The zstd compression of the page (<see cref="WalFormat.FlagCompressed"/>).</summary>
    Zstd = 1,

    /// <summary>The page without its longest run of zero bytes (<see cref="WalFormat.FlagZeroRunElided"/>, <see cref="ZeroRunElision"/>).</summary>
    ZeroRunElided = 2,

    /// <summary>
    /// Not an image: the 8 bytes the page's previous frame in the generation gets at offset 32 (<see cref="WalFormat.FlagCount"/>,
    /// <see cref="WalFormat"/> invariant 5).
    /// </summary>
    Count = 3,
}
