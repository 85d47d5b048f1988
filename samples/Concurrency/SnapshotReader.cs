namespace PageDb.Samples.Concurrency;

/// <summary>
/// One reader thread: until the writer finishes, it takes a snapshot and checks it three ways: the total is the
/// bank's total, it contains every transfer committed before it began, and reading it again after the writer has
/// committed more gives exactly the same balances.
/// </summary>
internal sealed class SnapshotReader(PageDatabase db, TransferWriter writer, long expectedTotal, AnswerCheck check)
{
    /// <summary>Snapshots checked.</summary>
    public long Snapshots { get; private set; }

    /// <summary>Snapshots during which the writer committed at least once (their second read came after that commit).</summary>
    public long Overlapped { get; private set; }

    /// <summary>Checks snapshots until the writer has finished.</summary>
    public void Run(int reader)
    {
        try
        {
            while (!writer.Finished)
                CheckOneSnapshot(reader);
        }
        catch (PageDbException e)
        {
            check.That(false, $"reader {reader}", () => e.Message);
        }
    }

    private void CheckOneSnapshot(int reader)
    {
        long committedBefore = writer.Committed;
        using ReadTransaction tx = db.BeginRead();
        BankSnapshot first = Bank.Read(tx);
        check.That(first.Total == expectedTotal, $"reader {reader}: total", () => $"a snapshot holds {first.Total:N0}, not {expectedTotal:N0}");
        check.That(first.Transfers >= committedBefore, $"reader {reader}: freshness",
            () => $"a snapshot begun after {committedBefore:N0} commits holds only {first.Transfers:N0} transfers");
        check.That(first.Balances.All(b => b >= 0), $"reader {reader}: balances", () => "a balance is negative");
        SpinWait.SpinUntil(() => writer.Committed > first.Transfers || writer.Finished);
        bool overlapped = writer.Committed > first.Transfers;
        BankSnapshot second = Bank.Read(tx);
        check.That(second.SameAs(first), $"reader {reader}: stability",
            () => $"the snapshot changed from {first.Transfers:N0} to {second.Transfers:N0} transfers while it was open");
        Snapshots++;
        Overlapped += overlapped ? 1 : 0;
    }
}
