using System.Data.Common;

namespace PageDb.Data;

/// <summary>Creates PageDb's ADO.NET objects, for code written against <see cref="DbProviderFactory"/>.</summary>
public sealed class PageDbFactory : DbProviderFactory
{
    private PageDbFactory()
    {
    }

    /// <summary>The one instance.</summary>
    public static PageDbFactory Instance { get; } = new();

    /// <inheritdoc/>
    public override DbConnection CreateConnection() => new PageDbConnection();

    /// <inheritdoc/>
    public override DbCommand CreateCommand() => new PageDbCommand();

    /// <inheritdoc/>
    public override DbParameter CreateParameter() => new PageDbParameter();

    /// <inheritdoc/>
    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => new();
}
