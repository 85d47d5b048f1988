using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PageDb.Core.Pages;

namespace PageDb;

/// <summary>
/// Throws out of line, so the success paths that check for corruption stay small and inlinable
/// (no string formatting or allocation happens unless the check fails).
/// </summary>
internal static class ThrowHelper
{
    /// <summary>Throws <see cref="CorruptDatabaseException"/> for page <paramref name="page"/> of <paramref name="filePath"/>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowCorrupt(string filePath, PageNumber page, string detail) =>
        throw new CorruptDatabaseException(filePath, page.Value, detail);

    /// <summary>Throws <see cref="CorruptDatabaseException"/> for a fault not confined to one page.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowCorrupt(string filePath, string detail) =>
        throw new CorruptDatabaseException(filePath, null, detail);

    /// <summary>Throws <see cref="ArgumentException"/> with <paramref name="message"/> for <paramref name="paramName"/>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    /// <summary>Throws <see cref="InvalidOperationException"/> with <paramref name="message"/>.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidOperation(string message) =>
        throw new InvalidOperationException(message);
}
