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

    // The parameter set the last run that ended gave back (see GiveBack), for the next run to fill again; null while
    // none is idle. A run holds its set until nothing of it reads the values any more (an ExecuteNonQuery or
    // ExecuteScalar until it returns, its async form until its task ends, a reader until it closes), so a run started
    // meanwhile (a reader left open, an async run not yet awaited) binds into a set of its own.
    private SqlParameters? _idleParameters;

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
    public override int ExecuteNonQuery()
    {
        SqlSession session = OpenConnection().Session;
        SqlParameters parameters = TakeParameters();
        try
        {
            return RowsAffected(session.Execute(_prepared!, parameters));
        }
        finally
        {
            GiveBack(parameters);
        }
    }

    /// <summary>Runs the command; the first value of the first row, or null.</summary>
    public override object? ExecuteScalar()
    {
        SqlSession session = OpenConnection().Session;
        SqlParameters parameters = TakeParameters();
        try
        {
            using SqlRowReader rows = session.ExecuteReader(_prepared!, parameters);
            return FirstValue(rows);
        }
        finally
        {
            GiveBack(parameters);
        }
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
        SqlParameters parameters = TakeParameters();
        SqlRowReader rows;
        try
        {
            rows = connection.Session.ExecuteReader(_prepared!, parameters);
        }
        catch
        {
            GiveBack(parameters);
            throw;
        }
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
        SqlSession session = OpenConnection().Session;
        SqlParameters parameters = TakeParameters();
        try
        {
            return RowsAffected(await session.ExecuteAsync(_prepared!, parameters, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            GiveBack(parameters);
        }
    }

    /// <summary>As <see cref="ExecuteScalar"/>, awaiting as <see cref="ExecuteNonQueryAsync"/> does.</summary>
    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        SqlSession session = OpenConnection().Session;
        SqlParameters parameters = TakeParameters();
        try
        {
            using SqlRowReader rows = await session.ExecuteReaderAsync(_prepared!, parameters, cancellationToken).ConfigureAwait(false);
            return FirstValue(rows);
        }
        finally
        {
            GiveBack(parameters);
        }
    }

    /// <summary>As <see cref="ExecuteReader(CommandBehavior)"/>, awaiting as <see cref="ExecuteNonQueryAsync"/> does.</summary>
    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        PageDbConnection connection = OpenConnection();
        SqlParameters parameters = TakeParameters();
        SqlRowReader rows;
        try
        {
            rows = await connection.Session.ExecuteReaderAsync(_prepared!, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            GiveBack(parameters);
            throw;
        }
        return Reader(rows, connection, behavior, parameters);
    }

    /// <inheritdoc/>
    protected override DbParameter CreateDbParameter() => new PageDbParameter();

    /// <summary>A reader over <paramref name="rows"/>, which gives <paramref name="parameters"/> back when it closes (see <see cref="GiveBack"/>).</summary>
    private PageDbDataReader Reader(SqlRowReader rows, PageDbConnection connection, CommandBehavior behavior, SqlParameters parameters) =>
        new(rows, behavior.HasFlag(CommandBehavior.CloseConnection) ? connection.Close : null, this, parameters);

    private static int RowsAffected(SqlResult result) => (int)Math.Min(int.MaxValue, result.RowsAffected);

    /// <summary>The first value of the first row of <paramref name="rows"/> (DBNull for NULL), or null when there is none.</summary>
    private static object? FirstValue(SqlRowReader rows) =>
        rows.Read() && rows.Current.Count > 0 ? rows.Current[0].ToObject() ?? DBNull.Value : null;

    /// <summary>The idle parameter set (a new one when a run holds it), filled with the command's parameter values, for a run to hold.</summary>
    private SqlParameters TakeParameters()
    {
        SqlParameters parameters = Interlocked.Exchange(ref _idleParameters, null) ?? new SqlParameters();
        parameters.Clear();
        return BindInto(parameters);
    }

    /// <summary>
    /// Takes back the parameter set of a run of this command that nothing reads any more (it returned, or its reader
    /// closed), for the next run to fill again, so a command run again and again binds into one set.
    /// </summary>
    internal void GiveBack(SqlParameters parameters) => Volatile.Write(ref _idleParameters, parameters);

    /// <summary>The command's connection, checked open, with the command's text prepared on it.</summary>
    private PageDbConnection OpenConnection()
    {
        PageDbConnection connection = _connection ?? throw new InvalidOperationException("The command has no connection.");
        if (connection.State != ConnectionState.Open)
            throw new InvalidOperationException("The command's connection is not open.");
        Prepare();
        return connection;
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
