namespace PageDb;

/// <summary>One thing <see cref="PageDatabase.CheckIntegrity"/> found wrong.</summary>
/// <param name="PageNumber">The page at fault, or null when the problem is not confined to one page.</param>
/// <param name="Message">What is wrong, in words a person can act on.</param>
public sealed record IntegrityProblem(long? PageNumber, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => PageNumber is { } n ? $"page {n}: {Message}" : Message;
}

/// <summary>The result of <see cref="PageDatabase.CheckIntegrity"/>.</summary>
public sealed class IntegrityReport
{
    internal IntegrityReport(IReadOnlyList<IntegrityProblem> problems, long pagesChecked)
    {
        Problems = problems;
        PagesChecked = pagesChecked;
    }

    /// <summary>True when no problem was found.</summary>
    public bool IsOk => Problems.Count == 0;

    /// <summary>Everything found wrong, each naming its page where there is one.</summary>
    public IReadOnlyList<IntegrityProblem> Problems { get; }

    /// <summary>How many pages were read and checked.</summary>
    public long PagesChecked { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        IsOk ? $"ok ({PagesChecked} pages checked)" : string.Join(Environment.NewLine, Problems);
}
