using System.Buffers;

namespace PageDb.Replication;

/// <summary>
/// The rules for keys and prefixes of an <see cref="IReplicaStore"/>. They are narrow on purpose: a key that is a valid
/// relative file path on every file system and a valid S3 key that needs no escaping, sorts the same as bytes and as
/// ordinal strings, and can never climb out of the store's root ("..") or collide with a temporary file (".name").
/// </summary>
public static class ReplicaKey
{
    /// <summary>The longest key accepted (S3 allows 1,024 bytes including the store's own prefix).</summary>
    public const int MaxLength = 512;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-=/");

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a valid object key.</summary>
    public static void Validate(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0 || !IsValidPrefix(key) || key.EndsWith('/'))
            throw new ArgumentException($"'{key}' is not a replica key: '/'-separated segments of letters, digits, '.', '_', '-' and '=', none empty or starting with '.', at most {MaxLength} characters.", paramName);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="prefix"/> is "" or the start of a valid key.</summary>
    public static void ValidatePrefix(string prefix, string paramName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        if (!IsValidPrefix(prefix))
            throw new ArgumentException($"'{prefix}' is not a replica key prefix: the start of '/'-separated segments of letters, digits, '.', '_', '-' and '=', none empty or starting with '.'.", paramName);
    }

    private static bool IsValidPrefix(string text)
    {
        if (text.Length > MaxLength || text.AsSpan().ContainsAnyExcept(Allowed))
            return false;
        int start = 0;
        while (start < text.Length)
        {
            int slash = text.IndexOf('/', start);
            int end = slash < 0 ? text.Length : slash;
            if (end == start && slash >= 0)
                return false;
            if (end > start && text[start] == '.')
                return false;
            start = end + 1;
        }
        return true;
    }
}
