using PageDb.Sql.Statistics;

namespace PageDb.Cli.Commands;

/// <summary>Finds a table by name, failing with the names that do exist.</summary>
internal static class TableLookup
{
    public static Table Get(ReadTransaction tx, string name)
    {
        if (tx.TryGetTable(name, out Table? table))
            return table;
        List<string> names = [.. StatisticsStore.UserTableNames(tx)];
        string known = names.Count == 0 ? "the database has no tables" : "tables: " + string.Join(", ", names);
        throw new CliException($"unknown table '{name}' ({known})");
    }
}
