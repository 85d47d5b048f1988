using System.Text;
using PageDb;

// Opens a database from the PageDb package, commits 1,000 keys, reopens it, reads every key back and checks its
// integrity; exits 1 on any wrong answer. Run by .ci/run from the packed package, as a JIT and as a native AOT binary.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Consumer <folder>");
    return 2;
}
string path = Path.Combine(args[0], "consumer.pagedb");
const int Keys = 1000;
using (PageDatabase db = PageDatabase.Open(path))
using (WriteTransaction tx = db.BeginWrite())
{
    Tree tree = tx.GetOrCreateTree("numbers");
    for (int i = 0; i < Keys; i++)
        tree.Put(Key(i), Encoding.UTF8.GetBytes($"value {i}"));
    tx.Commit();
}

int wrong = 0;
using (PageDatabase db = PageDatabase.Open(path))
{
    using (ReadTransaction tx = db.BeginRead())
    {
        Tree tree = tx.GetTree("numbers");
        for (int i = 0; i < Keys; i++)
        {
            byte[]? value = tree.Get(Key(i));
            if (value is null || Encoding.UTF8.GetString(value) != $"value {i}")
                wrong++;
        }
    }
    IntegrityReport report = db.CheckIntegrity();
    Console.WriteLine($"PageDb from the package: {Keys - wrong} of {Keys} keys read back; integrity: {report}");
    if (!report.IsOk)
        wrong++;
}
return wrong == 0 ? 0 : 1;

static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key{i:D5}");
