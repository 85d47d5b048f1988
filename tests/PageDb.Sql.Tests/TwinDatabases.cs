using Microsoft.Data.Sqlite;
using PageDb.Testing;

namespace PageDb.Sql.Tests;

/// <summary>
/// An in-memory SQLite database and an in-memory PageDb database given the same statements: the two sides of a
/// differential test. Disposing it closes both.
/// </summary>
internal sealed class TwinDatabases : IDisposable
{
    /// <summary>Opens both and runs every statement of <paramref name="setup"/> on each, SQLite first.</summary>
    public TwinDatabases(IEnumerable<string> setup)
    {
        Sqlite = new SqliteConnection("Data Source=:memory:");
        Sqlite.Open();
        PageDb = PageDatabase.OpenInMemory();
        Session = new SqlSession(PageDb);
        foreach (string statement in setup)
        {
            using (SqliteCommand command = Sqlite.CreateCommand())
            {
                command.CommandText = statement;
                command.ExecuteNonQuery();
            }
            Session.Execute(statement);
        }
    }

    /// <summary>The reference side.</summary>
    public SqliteConnection Sqlite { get; }

    /// <summary>PageDb's side.</summary>
    public SqlSession Session { get; }

    /// <summary>The database under <see cref="Session"/>, for other sessions and transactions of a test.</summary>
    public PageDatabase PageDb { get; }

    /// <summary>
    /// The seed of a differential run: <paramref name="defaultSeed"/> in the default run, so CI stays a signal, and a
    /// fresh one (or PAGEDB_SEED's) when PAGEDB_LONG=1 or PAGEDB_SEED is set.
    /// </summary>
    public static int Seed(int defaultSeed)
    {
        bool freshSeed = TestSeed.LongRun || Environment.GetEnvironmentVariable(TestSeed.EnvironmentVariable) is not null;
        return freshSeed ? TestSeed.Next() : defaultSeed;
    }

    public void Dispose()
    {
        Session.Dispose();
        PageDb.Dispose();
        Sqlite.Dispose();
    }
}
