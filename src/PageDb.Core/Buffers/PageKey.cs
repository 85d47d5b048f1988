using PageDb.Core.Pages;

namespace PageDb.Core.Buffers;

/// <summary>
/// Names one cached version of a page: its number plus where the bytes came from. The pool never interprets
/// <paramref name="Version"/> beyond equality; the layer above decides the scheme (0 means "the database file's copy").
/// </summary>
/// <param name="Page">The page number.</param>
/// <param name="Version">Which version of the page.</param>
internal readonly record struct PageKey(PageNumber Page, ulong Version)
{
    /// <summary>The database file's copy of <paramref name="page"/>.</summary>
    public static PageKey FromFile(PageNumber page) => new(page, 0);
}
