using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using PageDb.Sql;

namespace PageDb.Data;

/// <summary>
/// A SQL command on a <see cref="PageDbConnection"/>. The text is parsed once (on <see cref="Prepare"/> or first run,
/// from the connection's cache of recent texts, so that a new command with the same text, as Dapper makes, reuses it)
/// and a query's plan is compiled once and reused while its tables keep their columns and indexes; parameters are
/// bound on each run.
/// </summary>
public sealed class PageDbCommand : DbCommand
{
    private string _commandText = "";
    private PreparedStatement? _prepared;
    private PageDbConnection? _connection;

    // The parameter values of ExecuteNonQuery and ExecuteScalar, filled again on each run: nothing they return keeps them.
    private readonly SqlParameters _nonQueryParameters = new();

    // The parameter values a closed reader of this command gave back (see ReaderClosed), for the next reader to fill
    // again; null while none is idle. An open reader keeps its own: its rows may still evaluate them.
    private SqlParameters? _idleReaderParameters;

    /// <summary>A command without text or connection.</summary>
    public PageDbCommand()
    {
    }

    /// <summary>A command running <paramref name="commandText"/> on <paramref name="connection"/>.</summary>
    public PageDbCommand(string commandText, PageDbConnection? connection = null)
    {
        _commandText = commandText;
        _connection = connection;
    }

    /// <inheritdoc/>
    [AllowNull]
    public override string CommandText
    {
        get => _commandText;
        set
        {
            _commandText = value ?? "";
            _prepared = null;
        }
    }

    /// <inheritdoc/>
    public override int CommandTimeout { get; set; } = 30;

    /// <inheritdoc/>
    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text)
                throw new ArgumentException("PageDb runs SQL text commands only.", nameof(value));
        }
    }

    /// <inheritdoc/>
    public override bool DesignTimeVisible { get; set; }

    /// <inheritdoc/>
    public override UpdateRowSource UpdatedRowSource { get; set; }

    /// <summary>The command's parameters.</summary>
    public new PageDbParameterCollection Parameters { get; } = new();

    /// <summary>The connection the command runs on.</summary>
    public new PageDbConnection? Connection
    {
        get => _connection;
        set => _connection = value;
    }

    /// <inheritdoc/>
    protected override DbConnection? DbConnection
    {
        get => _connection;
        set => _connection = (PageDbConnection?)value;
    }

    /// <inheritdoc/>
    protected override DbParameterCollection DbParameterCollection => Parameters;

    /// <inheritdoc/>
    protected override DbTransaction? DbTransaction { get; set; }

    /// <inheritdoc/>
    public override void Cancel()
    {
    }

    /// <inheritdoc/>
    public override void Prepare() => _prepared ??= _connection is { State: ConnectionState.Open } connection
        ? connection.Session.PrepareCached(_commandText)
        : SqlSession.Prepare(_commandText);

    /// <summary>Runs the command; the number of rows inserted, updated or deleted (-1 for other statements).</summary>
    public override int ExecuteNonQuery() => (int)Math.Min(int.MaxValue, Run().RowsAffected);

    /// <summary>Runs the command; the first value of the first row, or null.</summary>
    public override object? ExecuteScalar()
    {
        using SqlRowReader rows = OpenConnection().Session.ExecuteReader(_prepared!, Rebound(_nonQueryParameters));
        return rows.Read() && rows.Current.Count > 0 ? rows.Current[0].ToObject() ?? DBNull.Value : null;
    }

    /// <summary>Runs the command and reads its rows, one at a time as the query produces them (see <see cref="PageDbDataReader"/>).</summary>
    public new PageDbDataReader ExecuteReader() => ExecuteReader(CommandBehavior.Default);

    /// <summary>
    /// As <see cref="ExecuteReader()"/>; <see cref="CommandBehavior.CloseConnection"/> closes the connection when the
    /// reader closes, and the other behaviours are hints PageDb does not need.
    /// </summary>
    public new PageDbDataReader ExecuteReader(CommandBehavior behavior)
    {
        PageDbConnection connection = OpenConnection();
        SqlParameters parameters = Rebound(_idleReaderParameters ?? new SqlParameters());
        _idleReaderParameters = null;
        SqlRowReader rows = connection.Session.ExecuteReader(_prepared!, parameters);
        return Reader(rows, connection, behavior, parameters);
    }

    /// <inheritdoc/>
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => ExecuteReader(behavior);

    /// <summary>
    /// As <see cref="ExecuteNonQuery"/>, awaiting the writer slot and the commit's durability without blocking a thread
    /// (<see cref="SqlSession.ExecuteAsync"/>); cancelled before the slot is granted, the command changes nothing.
    /// </summary>
    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        SqlResult result = await OpenConnection().Session.ExecuteAsync(_prepared!, BoundParameters(), cancellationToken).ConfigureAwait(false);
        return (int)Math.Min(int.MaxValue, result.RowsAffected);
    }

    /// <summary>As <see cref="ExecuteScalar"/>, awaiting as <see cref="ExecuteNonQueryAsync"/> does.</summary>
    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        using SqlRowReader rows = await OpenConnection().Session.ExecuteReaderAsync(_prepared!, BoundParameters(), cancellationToken).ConfigureAwait(false);
        return rows.Read() && rows.Current.Count > 0 ? rows.Current[0].ToObject() ?? DBNull.Value : null;
    }

    /// <summary>As <see cref="ExecuteReader(CommandBehavior)"/>, awaiting as <see cref="ExecuteNonQueryAsync"/> does.</summary>
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        PageDbConnection connection = OpenConnection();
        SqlRowReader rows = await connection.Session.ExecuteReaderAsync(_prepared!, BoundParameters(), cancellationToken).ConfigureAwait(false);
        return Reader(rows, connection, behavior, parameters: null);
    }

    /// <inheritdoc/>
    protected override DbParameter CreateDbParameter() => new PageDbParameter();

    /// <summary>A reader over <paramref name="rows"/>, which gives <paramref name="parameters"/> back when it closes (see <see cref="ReaderClosed"/>).</summary>
    private PageDbDataReader Reader(SqlRowReader rows, PageDbConnection connection, CommandBehavior behavior, SqlParameters? parameters) =>
        new(rows, behavior.HasFlag(CommandBehavior.CloseConnection) ? connection.Close : null, parameters is null ? null : this, parameters);

    /// <summary>
    /// Takes back the parameter values of a reader of this command that closed, for the next run to fill again, so a
    /// prepared query run again and again, each reader closed before the next, binds into one set.
    /// </summary>
    internal void ReaderClosed(SqlParameters parameters) => _idleReaderParameters = parameters;

    private SqlResult Run() => OpenConnection().Session.Execute(_prepared!, Rebound(_nonQueryParameters));

    /// <summary>The command's connection, checked open, with the command's text prepared on it.</summary>
    private PageDbConnection OpenConnection()
    {
        PageDbConnection connection = _connection ?? throw new InvalidOperationException("The command has no connection.");
        if (connection.State != ConnectionState.Open)
            throw new InvalidOperationException("The command's connection is not open.");
        Prepare();
        return connection;
    }

    private SqlParameters BoundParameters() => BindInto(new SqlParameters());

    /// <summary><paramref name="parameters"/>, emptied and set to the command's parameter values.</summary>
    private SqlParameters Rebound(SqlParameters parameters)
    {
        parameters.Clear();
        return BindInto(parameters);
    }

    /// <summary>The command's parameter values, set in <paramref name="parameters"/>.</summary>
    private SqlParameters BindInto(SqlParameters parameters)
    {
        for (int i = 0; i < Parameters.Items.Count; i++)
        {
            PageDbParameter parameter = Parameters.Items[i];
            if (parameter.ParameterName.Length == 0)
                parameters.Set(i + 1, parameter.Value);
            else
                parameters.Set(parameter.ParameterName, parameter.Value);
        }
        return parameters;
    }
}
