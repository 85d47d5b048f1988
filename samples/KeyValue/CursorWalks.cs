using System.Text;

namespace PageDb.Samples.KeyValue;

/// <summary>The usual ways to walk a cursor, each collecting the (key, value) pairs it passes as text.</summary>
internal static class CursorWalks
{
    /// <summary>Every pair from the first key on: SeekFirst, then Next until it returns false.</summary>
    public static List<(string Key, string Value)> Forward(Cursor cursor)
    {
        var pairs = new List<(string, string)>();
        for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
            pairs.Add(Current(cursor));
        return pairs;
    }

    /// <summary>Every pair from the last key back: SeekLast, then Previous until it returns false.</summary>
    public static List<(string Key, string Value)> Backward(Cursor cursor)
    {
        var pairs = new List<(string, string)>();
        for (bool more = cursor.SeekLast(); more; more = cursor.Previous())
            pairs.Add(Current(cursor));
        return pairs;
    }

    /// <summary>The pairs whose key starts with <paramref name="prefix"/>: Seek to the prefix, then Next while it matches.</summary>
    public static List<(string Key, string Value)> WithPrefix(Cursor cursor, string prefix)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(prefix);
        var pairs = new List<(string, string)>();
        for (bool more = cursor.Seek(bytes); more && cursor.Key.StartsWith(bytes); more = cursor.Next())
            pairs.Add(Current(cursor));
        return pairs;
    }

    /// <summary>
    /// The last <paramref name="count"/> pairs whose key starts with <paramref name="prefix"/>, last first: Seek to the
    /// first key after the prefix's range (or the last key when there is none), then Previous.
    /// </summary>
    public static List<(string Key, string Value)> LastWithPrefix(Cursor cursor, string prefix, int count)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(prefix);
        var pairs = new List<(string, string)>();
        bool more = cursor.Seek(PrefixEnd(bytes)) ? cursor.Previous() : cursor.SeekLast();
        for (; more && pairs.Count < count && cursor.Key.StartsWith(bytes); more = cursor.Previous())
            pairs.Add(Current(cursor));
        return pairs;
    }

    /// <summary>The smallest key greater than every key starting with <paramref name="prefix"/>: its last byte plus one (so that byte must not be 0xFF).</summary>
    private static byte[] PrefixEnd(byte[] prefix)
    {
        byte[] end = [.. prefix];
        end[^1]++;
        return end;
    }

    private static (string, string) Current(Cursor cursor) =>
        (Encoding.UTF8.GetString(cursor.Key), Encoding.UTF8.GetString(cursor.Value));
}
