using System.Diagnostics;
using System.Text;
using PageDb;
using PageDb.Samples;
using PageDb.Samples.KeyValue;

// Key-value trees: loads a product catalog (10,000 keys by default) into one tree, then walks it with cursors
// (forward, by prefix, from a Seek, backward), reads a range, and deletes a whole category while an older snapshot
// still sees it. Every answer is compared with a SortedDictionary holding the same pairs; the exit code is 1 when
// any differs.
const int Seed = 7;
const string TreeName = "products";
SampleArguments? arguments = SampleArguments.Parse(args, "KeyValue [folder] [--keys N]  (default 10,000)",
    new SampleOption("keys", Default: 10_000, Min: 100, Max: 5_000_000));
if (arguments is null)
    return 2;
var total = Stopwatch.StartNew();
SortedDictionary<string, string> model = ProductCatalog.Generate((int)arguments["keys"], Seed);
var check = new AnswerCheck();
string path = arguments.FreshDatabasePath("keyvalue.pagedb");
using (PageDatabase db = PageDatabase.Open(path))
{
    Console.WriteLine($"Opened {path}");
    Load(db);
    using (ReadTransaction tx = db.BeginRead())
        Walk(tx.GetTree(TreeName));
    DeleteCategory(db, "games/");
    IntegrityReport report = db.CheckIntegrity();
    Console.WriteLine($"Integrity: {report}");
    check.That(report.IsOk, "integrity check", report.ToString);
}
Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:N1} s.");
return check.Report();

void Load(PageDatabase db)
{
    var watch = Stopwatch.StartNew();
    using WriteTransaction tx = db.BeginWrite();
    Tree products = tx.CreateTree(TreeName);
    foreach ((string key, string value) in model)
        products.Put(Bytes(key), Bytes(value));
    tx.Commit();
    Console.WriteLine($"Put {model.Count:N0} products in one transaction: {watch.ElapsedMilliseconds:N0} ms");
}

void Walk(Tree products)
{
    using Cursor cursor = products.OpenCursor();
    check.Equal("Count", (long)model.Count, products.Count);

    List<(string Key, string Value)> all = CursorWalks.Forward(cursor);
    Console.WriteLine($"SeekFirst/Next visits {all.Count:N0} keys in order: {Show(all.Take(2))}, ...");
    check.SameSequence("forward walk", Pairs(model), all);

    List<(string Key, string Value)> garden = CursorWalks.WithPrefix(cursor, "garden/");
    Console.WriteLine($"Seek(\"garden/\"), then Next while the prefix matches: {garden.Count:N0} keys, {garden[0].Key} .. {garden[^1].Key}");
    check.SameSequence("prefix garden/", Pairs(model.Where(p => HasPrefix(p.Key, "garden/"))), garden);

    string missing = ProductCatalog.Key("music", 1) + "~";
    string landed = cursor.Seek(Bytes(missing)) ? Encoding.UTF8.GetString(cursor.Key) : "(none)";
    Console.WriteLine($"Seek(\"{missing}\"), a key that is not there, lands on the next one: {landed}");
    check.Equal("Seek to a missing key", model.Keys.FirstOrDefault(k => string.CompareOrdinal(k, missing) >= 0) ?? "(none)", landed);

    List<(string Key, string Value)> backward = CursorWalks.Backward(cursor);
    Console.WriteLine($"SeekLast/Previous visits {backward.Count:N0} keys backwards: {Show(backward.Take(2))}, ...");
    check.SameSequence("backward walk", Pairs(model.Reverse()), backward);

    List<(string Key, string Value)> lastBooks = CursorWalks.LastWithPrefix(cursor, "books/", 3);
    Console.WriteLine($"The last 3 books (Seek past the prefix, then Previous): {string.Join(", ", lastBooks.Select(p => p.Key))}");
    check.SameSequence("last books", Pairs(model.Where(p => HasPrefix(p.Key, "books/")).Reverse().Take(3)), lastBooks);

    string from = ProductCatalog.Key("tools", 100), to = ProductCatalog.Key("tools", 200);
    List<string> range = products.Range(Bytes(from), Bytes(to)).Select(p => Encoding.UTF8.GetString(p.Key)).ToList();
    Console.WriteLine($"Range(\"{from}\", \"{to}\"): {range.Count} keys, {string.Join(", ", range.Take(3))}, ...");
    check.SameSequence("Range", model.Keys.Where(k => string.CompareOrdinal(k, from) >= 0 && string.CompareOrdinal(k, to) < 0).ToList(), range);
}

void DeleteCategory(PageDatabase db, string prefix)
{
    List<string> doomed = model.Keys.Where(k => HasPrefix(k, prefix)).ToList();
    using ReadTransaction before = db.BeginRead();
    int deleted = 0;
    using (WriteTransaction tx = db.BeginWrite())
    {
        Tree products = tx.GetTree(TreeName);
        foreach (string key in doomed)
            deleted += products.Delete(Bytes(key)) ? 1 : 0;
        check.Equal("Delete of a deleted key", false, products.Delete(Bytes(doomed[0])));
        tx.Commit();
    }
    foreach (string key in doomed)
        model.Remove(key);
    using ReadTransaction after = db.BeginRead();
    Tree now = after.GetTree(TreeName), then = before.GetTree(TreeName);
    Console.WriteLine($"Deleted {deleted:N0} keys under \"{prefix}\" in one transaction: Count is now {now.Count:N0}; " +
        $"a snapshot taken before still counts {then.Count:N0} and still finds {doomed[0]}: {then.Get(Bytes(doomed[0])) is not null}");
    check.Equal("keys deleted", doomed.Count, deleted);
    check.Equal("Count after Delete", (long)model.Count, now.Count);
    check.Equal("Get of a deleted key", null, now.Get(Bytes(doomed[0])));
    check.Equal("Count in the older snapshot", (long)(model.Count + doomed.Count), then.Count);
    check.Equal("Get in the older snapshot", true, then.Get(Bytes(doomed[0])) is not null);
}

static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

static bool HasPrefix(string key, string prefix) => key.StartsWith(prefix, StringComparison.Ordinal);

static List<(string Key, string Value)> Pairs(IEnumerable<KeyValuePair<string, string>> pairs) => pairs.Select(p => (p.Key, p.Value)).ToList();

static string Show(IEnumerable<(string Key, string Value)> pairs) => string.Join(", ", pairs.Select(p => $"{p.Key} = {p.Value}"));
