namespace PageDb.Btree;

/// <summary>The sizes a tree accepts. Anything larger is refused with <see cref="ArgumentException"/> before any change.</summary>
internal static class BTreeLimits
{
    /// <summary>The longest key, in bytes. Keys are never split across pages, so every key is compared in place.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>The longest value, in bytes (64 MiB).</summary>
    public const int MaxValueLength = 64 << 20;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="key"/> is empty or longer than <see cref="MaxKeyLength"/>.</summary>
    public static void ValidateKey(ReadOnlySpan<byte> key, string paramName = "key")
    {
        if (key.IsEmpty || key.Length > MaxKeyLength)
            ThrowHelper.ThrowArgument(paramName, "A key must be 1 to 1,024 bytes long.");
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="value"/> is longer than <see cref="MaxValueLength"/>.</summary>
    public static void ValidateValue(ReadOnlySpan<byte> value, string paramName = "value")
    {
        if (value.Length > MaxValueLength)
            ThrowHelper.ThrowArgument(paramName, "A value must be at most 64 MiB (67,108,864 bytes) long.");
    }
}
