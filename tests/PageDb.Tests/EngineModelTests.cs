using PageDb.Testing;

namespace PageDb.Tests;

/// <summary>
/// Random transactions against a model: several trees, puts (small and overflowing values), deletes, tree creation
/// and drops, commits and rollbacks, snapshot readers held across commits, checkpoints of every mode, compaction and
/// reopen cycles, with a cache small enough that transactions spill. After every step the database must equal the
/// model's last commit, and every open reader must equal the commit it began at; the integrity check runs often.
/// </summary>
public class EngineModelTests
{
    private const string DbPath = "model.pagedb";

    [TestCase(Durability.Full)]
    [TestCase(Durability.None)]
    public void Random_transactions_match_the_model(Durability durability)
    {
        var options = new PageDbOptions
        {
            Storage = new MemoryStorage(),
            Durability = durability,
            CacheSizeBytes = 64 * 4096,
            CheckpointThresholdBytes = 256 << 10,
            BeforeDispose = TestDatabase.AssertIntact,
        };
        RunAgainstTheModel(DbPath, options);
    }

    /// <summary>
    /// The same on a real file read through a memory mapping (<see cref="PageDbOptions.MemoryMappedReads"/>): the file
    /// grows, shrinks (compaction, truncating checkpoints) and is reopened under the mapping, and every read must still
    /// equal the model's. The cache is small, so most reads miss it and come from the mapping.
    /// </summary>
    [Test]
    public void Random_transactions_on_a_mapped_file_match_the_model()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-mapped-model-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            RunAgainstTheModel(Path.Combine(directory, DbPath), new PageDbOptions
            {
                Durability = Durability.None,
                MemoryMappedReads = true,
                CacheSizeBytes = 16 * 4096,
                CheckpointThresholdBytes = 128 << 10,
                BeforeDispose = TestDatabase.AssertIntact,
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void RunAgainstTheModel(string path, PageDbOptions options)
    {
        int seed = TestSeed.Next();
        var rng = new Random(seed);
        int steps = TestSeed.LongRun ? 3000 : 400;
        var committed = new Model();
        var readers = new List<(ReadTransaction Transaction, Model Expected)>();
        PageDatabase db = PageDatabase.Open(path, options);
        try
        {
            for (int step = 0; step < steps; step++)
            {
                string context = $"step {step}; {TestSeed.Describe(seed)}";
                int action = rng.Next(100);
                if (action < 60)
                {
                    RunWriteTransaction(db, committed, rng, commit: rng.Next(5) != 0);
                }
                else if (action < 70)
                {
                    readers.Add((db.BeginRead(), committed.Clone()));
                }
                else if (action < 78 && readers.Count > 0)
                {
                    int which = rng.Next(readers.Count);
                    AssertMatches(readers[which].Transaction, readers[which].Expected, "held reader " + context);
                    readers[which].Transaction.Dispose();
                    readers.RemoveAt(which);
                }
                else if (action < 85)
                {
                    db.Checkpoint(CheckpointMode.Passive);
                }
                else if (action < 88 && readers.Count == 0)
                {
                    db.Checkpoint(rng.Next(2) == 0 ? CheckpointMode.Full : CheckpointMode.Truncate);
                }
                else if (action < 90 && readers.Count == 0)
                {
                    db.Compact();
                }
                else if (action < 95)
                {
                    foreach ((ReadTransaction transaction, Model _) in readers)
                        transaction.Dispose();
                    readers.Clear();
                    db.Dispose();
                    db = PageDatabase.Open(path, options);
                }
                using (ReadTransaction now = db.BeginRead())
                    AssertMatches(now, committed, context);
                if (step % 25 == 0)
                {
                    IntegrityReport report = db.CheckIntegrity();
                    Assert.That(report.IsOk, Is.True, $"{report} {context}");
                }
            }
            foreach ((ReadTransaction transaction, Model expected) in readers)
                AssertMatches(transaction, expected, $"held reader at the end; {TestSeed.Describe(seed)}");
        }
        finally
        {
            foreach ((ReadTransaction transaction, Model _) in readers)
                transaction.Dispose();
            db.Dispose();
        }
        using PageDatabase reopened = PageDatabase.Open(path, options);
        using (ReadTransaction final = reopened.BeginRead())
            AssertMatches(final, committed, $"after the last reopen; {TestSeed.Describe(seed)}");
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True, TestSeed.Describe(seed));
    }

    private static void RunWriteTransaction(PageDatabase db, Model committed, Random rng, bool commit)
    {
        Model working = committed.Clone();
        using WriteTransaction tx = db.BeginWrite();
        int operations = rng.Next(1, rng.Next(4) == 0 ? 400 : 20);
        for (int i = 0; i < operations; i++)
        {
            int action = rng.Next(100);
            if (action < 4 && working.Trees.Count < 6)
            {
                string name = $"tree{rng.Next(10)}";
                if (working.Trees.ContainsKey(name))
                    continue;
                tx.CreateTree(name);
                working.Trees[name] = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
            }
            else if (action < 6 && working.Trees.Count > 0)
            {
                string name = working.Trees.Keys.ElementAt(rng.Next(working.Trees.Count));
                tx.DropTree(name);
                working.Trees.Remove(name);
            }
            else if (working.Trees.Count > 0)
            {
                string name = working.Trees.Keys.ElementAt(rng.Next(working.Trees.Count));
                Tree tree = tx.GetTree(name);
                SortedDictionary<byte[], byte[]> model = working.Trees[name];
                byte[] key = RandomKey(rng);
                if (action < 75)
                {
                    byte[] value = RandomValue(rng);
                    tree.Put(key, value);
                    model[key] = value;
                }
                else
                {
                    Assert.That(tree.Delete(key), Is.EqualTo(model.Remove(key)));
                }
            }
        }
        if (commit)
        {
            tx.Commit();
            committed.Trees = working.Trees;
        }
    }

    private static void AssertMatches(ReadTransaction transaction, Model expected, string context)
    {
        Assert.That(transaction.TreeNames, Is.EqualTo(expected.Trees.Keys.OrderBy(n => n, StringComparer.Ordinal)), context);
        foreach ((string name, SortedDictionary<byte[], byte[]> model) in expected.Trees)
        {
            Tree tree = transaction.GetTree(name);
            Assert.That(tree.Count, Is.EqualTo(model.Count), $"count of {name}; {context}");
            using var expectedEntries = model.GetEnumerator();
            using Cursor cursor = tree.OpenCursor();
            for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
            {
                Assert.That(expectedEntries.MoveNext(), Is.True, $"{name} has extra keys; {context}");
                if (!cursor.Key.SequenceEqual(expectedEntries.Current.Key) || !cursor.Value.SequenceEqual(expectedEntries.Current.Value))
                    Assert.Fail($"{name} differs at key {Convert.ToHexString(expectedEntries.Current.Key)}; {context}");
            }
            Assert.That(expectedEntries.MoveNext(), Is.False, $"{name} is missing keys; {context}");
        }
    }

    private static byte[] RandomKey(Random rng)
    {
        var key = new byte[rng.Next(4) == 0 ? rng.Next(1, 300) : rng.Next(1, 6)];
        rng.NextBytes(key);
        return key;
    }

    private static byte[] RandomValue(Random rng)
    {
        var value = new byte[rng.Next(20) == 0 ? rng.Next(3000, 40_000) : rng.Next(0, 200)];
        rng.NextBytes(value);
        return value;
    }

    private sealed class Model
    {
        public Dictionary<string, SortedDictionary<byte[], byte[]>> Trees { get; set; } = [];

        public Model Clone() => new()
        {
            Trees = Trees.ToDictionary(t => t.Key, t => new SortedDictionary<byte[], byte[]>(t.Value, ByteArrayComparer.Instance)),
        };
    }
}
