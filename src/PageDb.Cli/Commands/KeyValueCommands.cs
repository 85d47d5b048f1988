using System.CommandLine;
using PageDb.Sql.Scan;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb get|put|delete &lt;db&gt; &lt;tree&gt; &lt;key&gt; [value]</c> on key-value trees. Keys and values are
/// UTF-8 text or 0x hex (<see cref="ByteText"/>).
/// </summary>
internal static class KeyValueCommands
{
    public static Command Get(CliContext context)
    {
        var (db, tree, key) = Arguments();
        var command = new Command("get", "Print the value of a key in a key-value tree (exit 2 when absent)") { db, tree, key };
        command.SetAction(r => context.Guard(() => ExecuteGet(context, r.GetValue(db)!, r.GetValue(tree)!, r.GetValue(key)!)));
        return command;
    }

    public static Command Put(CliContext context)
    {
        var (db, tree, key) = Arguments();
        var value = new Argument<string>("value") { Description = "The value: UTF-8 text, or 0x followed by hex digits" };
        var command = new Command("put", "Set a key in a key-value tree (the tree and the database are created when missing)")
        {
            db, tree, key, value,
        };
        command.SetAction(r => context.Guard(() =>
            ExecutePut(r.GetValue(db)!, r.GetValue(tree)!, r.GetValue(key)!, r.GetValue(value)!)));
        return command;
    }

    public static Command Delete(CliContext context)
    {
        var (db, tree, key) = Arguments();
        var command = new Command("delete", "Remove a key from a key-value tree (exit 2 when absent)") { db, tree, key };
        command.SetAction(r => context.Guard(() => ExecuteDelete(r.GetValue(db)!, r.GetValue(tree)!, r.GetValue(key)!)));
        return command;
    }

    private static (Argument<string> Db, Argument<string> Tree, Argument<string> Key) Arguments() =>
        (CommonArguments.Database(),
         new Argument<string>("tree") { Description = "The key-value tree's name" },
         new Argument<string>("key") { Description = "The key: UTF-8 text, or 0x followed by hex digits" });

    private static int ExecuteGet(CliContext context, string path, string treeName, string key)
    {
        using PageDatabase database = DatabaseOpener.OpenForReading(path);
        using ReadTransaction tx = database.BeginRead();
        byte[]? value = GetTree(tx, treeName).Get(ByteText.Parse(key));
        if (value is null)
            throw new CliException($"key '{key}' not found in tree '{treeName}'");
        context.Out.WriteLine(ByteText.Format(value));
        return ExitCodes.Ok;
    }

    private static int ExecutePut(string path, string treeName, string key, string value)
    {
        using PageDatabase database = DatabaseOpener.OpenOrCreate(path);
        using WriteTransaction tx = database.BeginWrite();
        if (tx.TableNames.Contains(treeName))
            throw new CliException($"'{treeName}' is a table, not a key-value tree");
        tx.GetOrCreateTree(treeName).Put(ByteText.Parse(key), ByteText.Parse(value));
        tx.Commit();
        return ExitCodes.Ok;
    }

    private static int ExecuteDelete(string path, string treeName, string key)
    {
        using PageDatabase database = DatabaseOpener.OpenForWriting(path);
        using WriteTransaction tx = database.BeginWrite();
        if (!GetTree(tx, treeName).Delete(ByteText.Parse(key)))
            throw new CliException($"key '{key}' not found in tree '{treeName}'");
        tx.Commit();
        return ExitCodes.Ok;
    }

    private static Tree GetTree(ReadTransaction tx, string name)
    {
        if (tx.TryGetTree(name, out Tree? tree))
            return tree;
        string known = tx.TreeNames.Count == 0 ? "the database has no key-value trees" : "trees: " + string.Join(", ", tx.TreeNames);
        throw new CliException($"unknown tree '{name}' ({known})");
    }
}
