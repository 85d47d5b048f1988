using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using PageDb.Sql;

namespace PageDb.Data;

/// <summary>
/// A connection to a PageDb database, as Microsoft.Data.Sqlite's SqliteConnection is to SQLite. The connection
/// string is <c>Data Source=&lt;path&gt;</c> with optional <c>Mode=ReadWriteCreate|ReadWrite|ReadOnly|Memory</c> and
/// <c>Durability=Full|Normal|None</c>. Connections of one process to the same path share one open database. A
/// connection is not thread-safe; use one per thread.
/// </summary>
public sealed class PageDbConnection : DbConnection
{
    private string _connectionString = "";
    private ConnectionSettings? _settings;
    private SqlSession? _session;

    /// <summary>A closed connection without a connection string.</summary>
    public PageDbConnection()
    {
    }

    /// <summary>A closed connection with <paramref name="connectionString"/>.</summary>
    public PageDbConnection(string connectionString) => ConnectionString = connectionString;

    /// <inheritdoc/>
    [AllowNull]
    public override string ConnectionString
    {
        get => _connectionString;
        set
        {
            if (State != ConnectionState.Closed)
                throw new InvalidOperationException("The connection string cannot change while the connection is open.");
            _connectionString = value ?? "";
        }
    }

    /// <inheritdoc/>
    public override string Database => "main";

    /// <inheritdoc/>
    public override string DataSource => _settings?.DataSource ?? "";

    /// <inheritdoc/>
    public override string ServerVersion => typeof(PageDatabase).Assembly.GetName().Version?.ToString() ?? "0";

    /// <inheritdoc/>
    public override ConnectionState State => _session is null ? ConnectionState.Closed : ConnectionState.Open;

    /// <summary>The open transaction, if any.</summary>
    internal PageDbTransaction? Transaction { get; set; }

    /// <summary>The session statements run in.</summary>
    internal SqlSession Session => _session ?? throw new InvalidOperationException("The connection is not open.");

    /// <inheritdoc/>
    public override void Open()
    {
        if (_session is not null)
            return;
        ConnectionSettings settings = ConnectionSettings.Parse(_connectionString);
        PageDatabase database = SharedDatabases.Acquire(settings);
        _settings = settings;
        _session = new SqlSession(database);
    }

    /// <inheritdoc/>
    public override void Close()
    {
        if (_session is null)
            return;
        Transaction = null;
        _session.Dispose();
        _session = null;
        SharedDatabases.Release(_settings!);
    }

    /// <inheritdoc/>
    public override void ChangeDatabase(string databaseName) =>
        throw new NotSupportedException("A PageDb connection has one database.");

    /// <summary>Creates a command on this connection.</summary>
    public new PageDbCommand CreateCommand() => new() { Connection = this, Transaction = Transaction };

    /// <summary>Begins a transaction; PageDb transactions are serializable.</summary>
    public new PageDbTransaction BeginTransaction() => (PageDbTransaction)BeginDbTransaction(IsolationLevel.Unspecified);

    /// <inheritdoc/>
    protected override DbCommand CreateDbCommand() => CreateCommand();

    /// <inheritdoc/>
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel)
    {
        ThrowIfInTransaction();
        Session.Execute("BEGIN");
        return Transaction = new PageDbTransaction(this, isolationLevel);
    }

    /// <summary>
    /// As <see cref="BeginDbTransaction"/>, awaiting the writer slot without blocking a thread; cancelled before the
    /// slot is granted, no transaction begins.
    /// </summary>
    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken)
    {
        ThrowIfInTransaction();
        await Session.ExecuteAsync(Session.PrepareCached("BEGIN"), null, cancellationToken).ConfigureAwait(false);
        return Transaction = new PageDbTransaction(this, isolationLevel);
    }

    private void ThrowIfInTransaction()
    {
        if (Transaction is not null)
            throw new InvalidOperationException("The connection already has a transaction; PageDb does not nest them.");
    }

    /// <inheritdoc/>
    protected override DbProviderFactory DbProviderFactory => PageDbFactory.Instance;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Close();
        base.Dispose(disposing);
    }
}
