namespace PageDb.Core.Pages;

/// <summary>
/// The number of a page in the database file: page N starts at byte N * pageSize.
/// Page 0 is the file header; <see cref="None"/> (0) doubles as "no page" in links, because no link ever points at the header.
/// </summary>
/// <param name="Value">The page's index in the file.</param>
internal readonly record struct PageNumber(uint Value) : IComparable<PageNumber>
{
    /// <summary>"No page": the end of a chain or an absent link.</summary>
    public static readonly PageNumber None = new(0);

    /// <summary>The file header page.</summary>
    public static readonly PageNumber Header = new(0);

    /// <summary>True when this is <see cref="None"/>.</summary>
    public bool IsNone => Value == 0;

    /// <summary>The byte offset of this page in a file of pages of <paramref name="pageSize"/> bytes.</summary>
    public long FileOffset(int pageSize) => (long)Value * pageSize;

    /// <inheritdoc/>
    public int CompareTo(PageNumber other) => Value.CompareTo(other.Value);

    /// <summary>Compares page numbers by value.</summary>
    public static bool operator <(PageNumber left, PageNumber right) => left.Value < right.Value;

    /// <summary>Compares page numbers by value.</summary>
    public static bool operator >(PageNumber left, PageNumber right) => left.Value > right.Value;

    /// <summary>Compares page numbers by value.</summary>
    public static bool operator <=(PageNumber left, PageNumber right) => left.Value <= right.Value;

    /// <summary>Compares page numbers by value.</summary>
    public static bool operator >=(PageNumber left, PageNumber right) => left.Value >= right.Value;

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
