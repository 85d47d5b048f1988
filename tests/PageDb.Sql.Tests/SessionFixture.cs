namespace PageDb.Sql.Tests;

/// <summary>A fresh in-memory database and a SQL session on it for each test (the base SetUp runs before the derived one).</summary>
public abstract class SessionFixture
{
    protected PageDatabase Database { get; private set; } = null!;

    protected SqlSession Session { get; private set; } = null!;

    [SetUp]
    public void OpenSession()
    {
        Database = PageDatabase.OpenInMemory();
        Session = new SqlSession(Database);
    }

    [TearDown]
    public void CloseSession()
    {
        Session.Dispose();
        Database.Dispose();
    }
}
