using PageDb.Sql.Values;

namespace PageDb.Sql.Tests.SqlLogic;

/// <summary>How the runner reaches PageDb: straight through a <see cref="SqlSession"/>, or through the ADO.NET provider.</summary>
public interface ISqlLogicConnection : IDisposable
{
    /// <summary>Runs a statement.</summary>
    void Execute(string sql);

    /// <summary>Runs a query and returns its rows.</summary>
    IReadOnlyList<IReadOnlyList<SqlValue>> Query(string sql);
}

/// <summary>The runner's connection straight through a <see cref="SqlSession"/>.</summary>
public sealed class SessionConnection(PageDatabase database) : ISqlLogicConnection
{
    private readonly SqlSession _session = new(database);

    /// <inheritdoc/>
    public void Execute(string sql) => _session.Execute(sql);

    /// <inheritdoc/>
    public IReadOnlyList<IReadOnlyList<SqlValue>> Query(string sql) => _session.Execute(sql).Rows;

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
