namespace PageDb.Testing;

/// <summary>Orders byte arrays as unsigned bytes (memcmp, then length): the key order of PageDb trees, for models.</summary>
internal sealed class ByteArrayComparer : IComparer<byte[]>, IEqualityComparer<byte[]>
{
    /// <summary>The one instance.</summary>
    public static readonly ByteArrayComparer Instance = new();

    /// <inheritdoc/>
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    /// <inheritdoc/>
    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    /// <inheritdoc/>
    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
