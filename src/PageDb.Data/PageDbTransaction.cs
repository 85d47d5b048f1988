using System.Data;
using System.Data.Common;

namespace PageDb.Data;

/// <summary>A transaction of a <see cref="PageDbConnection"/>: its commands share one write transaction until Commit or Rollback.</summary>
public sealed class PageDbTransaction : DbTransaction
{
    private PageDbConnection? _connection;

    internal PageDbTransaction(PageDbConnection connection, IsolationLevel isolationLevel)
    {
        _connection = connection;
        IsolationLevel = isolationLevel == IsolationLevel.Unspecified ? IsolationLevel.Serializable : isolationLevel;
    }

    /// <inheritdoc/>
    public override IsolationLevel IsolationLevel { get; }

    /// <inheritdoc/>
    protected override DbConnection? DbConnection => _connection;

    /// <inheritdoc/>
    public override void Commit() => End("COMMIT");

    /// <summary>
    /// As <see cref="Commit"/>, awaiting the commit's durability without blocking a thread. A token cancelled before
    /// the call leaves the transaction open; once the commit starts it runs to the end.
    /// </summary>
    public override async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        PageDbConnection connection = Take();
        if (connection.State == ConnectionState.Open && connection.Session.InTransaction)
            await connection.Session.ExecuteAsync(connection.Session.PrepareCached("COMMIT"), null, CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override void Rollback() => End("ROLLBACK");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _connection is not null)
            End("ROLLBACK");
        base.Dispose(disposing);
    }

    private void End(string statement)
    {
        PageDbConnection connection = Take();
        if (connection.State == ConnectionState.Open && connection.Session.InTransaction)
            connection.Session.Execute(statement);
    }

    /// <summary>Ends the transaction's tie to its connection, which it returns.</summary>
    private PageDbConnection Take()
    {
        PageDbConnection connection = _connection ?? throw new InvalidOperationException("The transaction has already ended.");
        _connection = null;
        connection.Transaction = null;
        return connection;
    }
}
