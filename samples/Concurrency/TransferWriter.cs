using System.Diagnostics;

namespace PageDb.Samples.Concurrency;

/// <summary>
/// The one writer: commits random transfers, one per transaction, until it has made the number asked for or the
/// deadline passes. Runs on its own thread; <see cref="Committed"/> and <see cref="Finished"/> may be read from any.
/// </summary>
internal sealed class TransferWriter(PageDatabase db, int accounts, int seed)
{
    private long _committed;
    private volatile bool _finished;

    /// <summary>Transfers whose Commit has returned.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>True once the writer has stopped for good.</summary>
    public bool Finished => _finished;

    /// <summary>How long the writer ran.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Commits <paramref name="transfers"/> transfers, or as many as fit before <paramref name="deadline"/> when it is set.</summary>
    public void Run(long transfers, DateTime? deadline, AnswerCheck check)
    {
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        try
        {
            while (deadline is { } end ? DateTime.UtcNow < end : Committed < transfers)
            {
                using (WriteTransaction tx = db.BeginWrite())
                {
                    int from = random.Next(accounts);
                    Bank.Transfer(tx, from, (from + 1 + random.Next(accounts - 1)) % accounts, random.Next(1, 500));
                    tx.Commit();
                }
                Interlocked.Increment(ref _committed);
            }
        }
        catch (PageDbException e)
        {
            check.That(false, "writer", () => e.Message);
        }
        finally
        {
            Elapsed = watch.Elapsed;
            _finished = true;
        }
    }
}
