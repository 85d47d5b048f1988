using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using PageDb.Sql.Values;
using PageDb.Testing;

namespace PageDb.Sql.Tests.Binding;

/// <summary>
/// Cached plans against SQLite: a fixed set of parameterized queries (point and range reads of the key, index seeks,
/// joins, grouping, ORDER BY with LIMIT, IN, EXISTS and correlated subqueries, a compound) is prepared once and run
/// again and again, each run a hit of its plan cache, in ever new transactions between random changes of their tables
/// (and of a table they do not read), rolled-back transactions, checkpoints and read transactions opened and ended
/// between runs (so pooled snapshot objects are reused), through <see cref="SqlSession.Execute(PreparedStatement, SqlParameters?)"/>,
/// through a reader, and inside BEGIN ... COMMIT. Another thread runs the same prepared statements, in its own session,
/// at the snapshots it happens to get; its rows must be SQLite's at one of the commits made while it ran. A plan that
/// read through the transaction it was compiled in, or through a snapshot object since given to another transaction,
/// would give another commit's rows. The seed is printed.
/// </summary>
[TestFixture]
public sealed class CachedPlanDifferentialTests
{
    private const int DefaultSeed = 20261208;
    private const int Steps = 1500;

    /// <summary>The queries, each with the parameter values the concurrent reader runs it with (any of them, any time).</summary>
    private static readonly (string Sql, bool InOrder, object[] Probes)[] Queries =
    [
        ("SELECT id, a, b FROM t WHERE id = @p", false, [1L, 5L, 17L]),
        ("SELECT id, b FROM t WHERE a = @p", false, [0L, 3L]),
        ("SELECT id, a FROM t WHERE id BETWEEN @p AND @p + 15 ORDER BY id DESC LIMIT 5", true, [0L, 20L]),
        ("SELECT t.id, u.name, u.v FROM t JOIN u ON u.tid = t.id WHERE t.a >= @p", false, [2L, 5L]),
        ("SELECT a, count(*), sum(b) FROM t GROUP BY a HAVING count(*) >= @p", false, [1L, 3L]),
        ("SELECT id FROM t WHERE a IN (SELECT k FROM u WHERE v > @p)", false, [3L, 7L]),
        ("SELECT id, (SELECT count(*) FROM u WHERE u.tid = t.id) FROM t WHERE b > @p", false, [0.5, 2.0]),
        ("SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = t.id AND u.v = @p)", false, [1L, 4L]),
        ("SELECT name, v FROM u WHERE name >= @p ORDER BY name LIMIT 3", true, ["", "n3"]),
        ("SELECT id FROM t WHERE a < @p UNION SELECT tid FROM u WHERE v < @p", false, [2L, 6L]),
        ("SELECT count(*), max(id) FROM t WHERE a <> @p", false, [0L]),
    ];

    [Test]
    public void Cached_plans_read_the_running_transactions_rows()
    {
        int seed = TwinDatabases.Seed(DefaultSeed);
        using var twins = new TwinDatabases(Schema());
        using var run = new Run(seed, twins);
        try
        {
            run.Go();
        }
        catch (Exception e) when (e is not AssertionException)
        {
            Assert.Fail($"{TestSeed.Describe(seed)}: {e}");
        }
    }

    private static IEnumerable<string> Schema()
    {
        yield return "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b REAL)";
        yield return "CREATE INDEX t_a ON t(a)";
        yield return "CREATE TABLE u(name TEXT PRIMARY KEY, tid INTEGER, v INTEGER, k INTEGER)";
        yield return "CREATE INDEX u_tid ON u(tid)";
        yield return "CREATE TABLE z(id INTEGER PRIMARY KEY, payload TEXT)";
    }

    /// <summary>One run: the random steps on the main thread, the concurrent reader, and what they share.</summary>
    private sealed class Run(int seed, TwinDatabases twins) : IDisposable
    {
        private readonly Random _random = new(seed);
        private readonly PreparedStatement[] _queries = [.. Queries.Select(q => SqlSession.Prepare(q.Sql))];
        private readonly PreparedStatement _insertT = SqlSession.Prepare("INSERT INTO t VALUES (@id, @a, @b)");
        private readonly PreparedStatement _updateT = SqlSession.Prepare("UPDATE t SET a = @a, b = b + 0.25 WHERE id = @id");
        private readonly PreparedStatement _deleteT = SqlSession.Prepare("DELETE FROM t WHERE a = @a");
        private readonly PreparedStatement _insertU = SqlSession.Prepare("INSERT INTO u VALUES (@name, @tid, @v, @k)");
        private readonly PreparedStatement _deleteU = SqlSession.Prepare("DELETE FROM u WHERE v = @v");
        private readonly PreparedStatement _insertZ = SqlSession.Prepare("INSERT INTO z VALUES (@id, @payload)");
        private readonly List<ReadTransaction> _heldReads = [];
        // SQLite's rows of every probe at each commit the concurrent reader may see, published after the commit.
        private readonly ConcurrentDictionary<int, string[]> _probesAt = new();
        private readonly CancellationTokenSource _stop = new();
        private int _nextId;
        private int _nextName;
        // The commit PageDb may have reached (raised before each commit) and the last one whose probes are published.
        private int _committing;
        private int _published;
        private long _hits;
        private long _concurrentRuns;
        private Task<string?>? _reader;

        private SqlSession Session => twins.Session;

        private string Describe => TestSeed.Describe(seed);

        public void Go()
        {
            for (int i = 0; i < 40; i++)
                Change();
            for (int q = 0; q < Queries.Length; q++)
                Check(q, step: -1, how: "first run");
            PublishProbes();
            _reader = Task.Run(ConcurrentReader);
            for (int step = 0; step < Steps && !_reader.IsCompleted; step++)
                Step(step);
            _stop.Cancel();
            Assert.That(_reader.GetAwaiter().GetResult(), Is.Null, Describe);
            foreach (ReadTransaction held in _heldReads)
                held.Dispose();

            for (int q = 0; q < Queries.Length; q++)
                Assert.That(_queries[q].Plans[0].Compilations, Is.EqualTo(1), $"{Describe}: query {q} was compiled again, so its runs missed the cache");
            Assert.That(_hits, Is.GreaterThan(Steps / 2), $"{Describe}: too few cached runs on the main thread");
            Assert.That(Interlocked.Read(ref _concurrentRuns), Is.GreaterThan(0), $"{Describe}: the concurrent reader never ran");
        }

        private void Step(int step)
        {
            switch (_random.Next(12))
            {
                case < 4:
                    Check(_random.Next(Queries.Length), step, "autocommit");
                    break;
                case 4:
                    CheckWithReader(step);
                    break;
                case < 8:
                    Change();
                    break;
                case 8:
                    Explicit(step);
                    break;
                case 9:
                    ChurnReadTransactions();
                    break;
                case 10:
                    WriteElsewhere();
                    break;
                default:
                    twins.Session.Execute("SELECT 1"); // a run of another plan between two of the same
                    Checkpoint();
                    break;
            }
        }

        /// <summary>Runs query <paramref name="q"/> with a random parameter on both sides and compares.</summary>
        private void Check(int q, int step, string how)
        {
            object p = Parameter(q);
            string context = $"{Describe}, step {step} ({how}): {Queries[q].Sql} with @p = {p}";
            Assert.That(RunPageDb(Session, q, p), Is.EqualTo(RunSqlite(q, p)), context);
            _hits++;
        }

        /// <summary>As <see cref="Check"/>, reading the rows through a reader (its own snapshot, held while it reads).</summary>
        private void CheckWithReader(int step)
        {
            int q = _random.Next(Queries.Length);
            object p = Parameter(q);
            var rows = new List<string>();
            using (SqlRowReader reader = Session.ExecuteReader(_queries[q], With("@p", p)))
            {
                ChurnReadTransactions();
                while (reader.Read())
                    rows.Add(Canonical(reader.Current));
            }
            if (!Queries[q].InOrder)
                rows.Sort(StringComparer.Ordinal);
            Assert.That(rows, Is.EqualTo(RunSqlite(q, p)), $"{Describe}, step {step} (reader): {Queries[q].Sql} with @p = {p}");
            _hits++;
        }

        /// <summary>A transaction of changes and queries, each query checked against SQLite's own transaction; committed or rolled back.</summary>
        private void Explicit(int step)
        {
            Session.Execute("BEGIN");
            Sqlite("BEGIN");
            int statements = _random.Next(1, 6);
            for (int i = 0; i < statements; i++)
            {
                if (_random.Next(2) == 0)
                    Check(_random.Next(Queries.Length), step, "in BEGIN ... COMMIT");
                else
                    Change(inTransaction: true);
            }
            bool commit = _random.Next(3) > 0;
            if (commit)
                Interlocked.Increment(ref _committing);
            Session.Execute(commit ? "COMMIT" : "ROLLBACK");
            Sqlite(commit ? "COMMIT" : "ROLLBACK");
            if (commit)
                PublishProbes();
            Check(_random.Next(Queries.Length), step, commit ? "after COMMIT" : "after ROLLBACK");
        }

        /// <summary>One random change of t or u, committed on its own (or in the open transaction), on both sides.</summary>
        private void Change(bool inTransaction = false)
        {
            (PreparedStatement statement, string sql, SqlParameters parameters, (string, object)[] values) = _random.Next(6) switch
            {
                0 or 1 => Statement(_insertT, "INSERT INTO t VALUES (@id, @a, @b)",
                    ("@id", (long)++_nextId), ("@a", (long)_random.Next(0, 8)), ("@b", _random.Next(0, 16) / 4.0)),
                2 => Statement(_updateT, "UPDATE t SET a = @a, b = b + 0.25 WHERE id = @id",
                    ("@a", (long)_random.Next(0, 8)), ("@id", (long)_random.Next(1, _nextId + 1))),
                3 => Statement(_deleteT, "DELETE FROM t WHERE a = @a", ("@a", (long)_random.Next(0, 8))),
                4 => Statement(_insertU, "INSERT INTO u VALUES (@name, @tid, @v, @k)",
                    ("@name", "n" + (++_nextName).ToString(CultureInfo.InvariantCulture)), ("@tid", (long)_random.Next(1, _nextId + 1)),
                    ("@v", (long)_random.Next(0, 10)), ("@k", (long)_random.Next(0, 8))),
                _ => Statement(_deleteU, "DELETE FROM u WHERE v = @v", ("@v", (long)_random.Next(0, 10))),
            };
            if (!inTransaction)
                Interlocked.Increment(ref _committing);
            Session.Execute(statement, parameters);
            Sqlite(sql, values);
            if (!inTransaction)
                PublishProbes();
        }

        private static (PreparedStatement, string, SqlParameters, (string, object)[]) Statement(PreparedStatement statement, string sql, params (string Name, object Value)[] values)
        {
            var parameters = new SqlParameters();
            foreach ((string name, object value) in values)
                parameters.Set(name, value);
            return (statement, sql, parameters, values);
        }

        /// <summary>A change of a table no query reads: a commit that moves the snapshots on without changing any result.</summary>
        private void WriteElsewhere()
        {
            Interlocked.Increment(ref _committing);
            Session.Execute(_insertZ, With("@id", (long)++_nextId, "@payload", new string('z', _random.Next(1, 400))));
            PublishProbes();
        }

        /// <summary>Ends some held read transactions and begins others, so snapshot objects go back to the pool and out again.</summary>
        private void ChurnReadTransactions()
        {
            for (int i = _heldReads.Count - 1; i >= 0; i--)
            {
                if (_random.Next(2) == 0)
                {
                    _heldReads[i].Dispose();
                    _heldReads.RemoveAt(i);
                }
            }
            int begin = _random.Next(0, 3);
            for (int i = 0; i < begin && _heldReads.Count < 4; i++)
            {
                ReadTransaction read = Database.BeginRead();
                _ = read.GetTable("t").Count; // opens a tree of the snapshot
                _heldReads.Add(read);
            }
            using (ReadTransaction brief = Database.BeginRead())
                _ = brief.GetTable("u").Count;
        }

        private void Checkpoint()
        {
            if (_random.Next(3) == 0)
            {
                foreach (ReadTransaction held in _heldReads)
                    held.Dispose();
                _heldReads.Clear();
            }
            Database.Checkpoint(CheckpointMode.Passive);
        }

        private PageDatabase Database => twins.PageDb;

        /// <summary>
        /// Runs the queries with their probe values in a session of its own until told to stop; each result must be
        /// SQLite's at a commit between the last one published before the run and the last one begun after it.
        /// </summary>
        private string? ConcurrentReader()
        {
            using var session = new SqlSession(Database);
            var random = new Random(seed ^ 0x5EED);
            while (!_stop.IsCancellationRequested)
            {
                int q = random.Next(Queries.Length);
                int probe = random.Next(Queries[q].Probes.Length);
                int from = Volatile.Read(ref _published);
                string actual = string.Join("\n", RunPageDb(session, q, Queries[q].Probes[probe]));
                int to = Volatile.Read(ref _committing);
                SpinWait.SpinUntil(() => Volatile.Read(ref _published) >= to || _stop.IsCancellationRequested);
                if (Volatile.Read(ref _published) < to)
                    break; // the main thread stopped between a commit and its publication (it failed)
                int slot = ProbeSlot(q, probe);
                if (!Enumerable.Range(from, to - from + 1).Any(v => _probesAt[v][slot] == actual))
                    return $"concurrent run of {Queries[q].Sql} with @p = {Queries[q].Probes[probe]} gave rows of no commit from {from} to {to}:\n{actual}";
                Interlocked.Increment(ref _concurrentRuns);
            }
            return null;
        }

        /// <summary>SQLite's rows of every probe now, as the rows of commit <see cref="_committing"/>, then published.</summary>
        private void PublishProbes()
        {
            var probes = new List<string>();
            for (int q = 0; q < Queries.Length; q++)
            {
                foreach (object p in Queries[q].Probes)
                    probes.Add(string.Join("\n", RunSqlite(q, p)));
            }
            _probesAt[_committing] = [.. probes];
            Volatile.Write(ref _published, _committing);
        }

        private static int ProbeSlot(int q, int probe) => Queries.Take(q).Sum(x => x.Probes.Length) + probe;

        private object Parameter(int q) => Queries[q].Probes[0] switch
        {
            string => _random.Next(3) == 0 ? "" : "n" + _random.Next(0, _nextName + 2).ToString(CultureInfo.InvariantCulture),
            double => _random.Next(-2, 16) / 4.0,
            _ => (long)_random.Next(-1, Math.Max(_nextId, 10) + 2),
        };

        private List<string> RunPageDb(SqlSession session, int q, object p)
        {
            List<string> rows = [.. session.Execute(_queries[q], With("@p", p)).Rows.Select(Canonical)];
            if (!Queries[q].InOrder)
                rows.Sort(StringComparer.Ordinal);
            return rows;
        }

        private List<string> RunSqlite(int q, object p)
        {
            using SqliteCommand command = twins.Sqlite.CreateCommand();
            command.CommandText = Queries[q].Sql;
            command.Parameters.AddWithValue("@p", p);
            using SqliteDataReader reader = command.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                var row = new StringBuilder();
                for (int i = 0; i < reader.FieldCount; i++)
                    row.Append(DifferentialTests.Canonical(SqlValue.FromObject(reader.GetValue(i)))).Append('|');
                rows.Add(row.ToString());
            }
            if (!Queries[q].InOrder)
                rows.Sort(StringComparer.Ordinal);
            return rows;
        }

        private void Sqlite(string sql, params (string Name, object Value)[] values)
        {
            using SqliteCommand command = twins.Sqlite.CreateCommand();
            command.CommandText = sql;
            foreach ((string name, object value) in values)
                command.Parameters.AddWithValue(name, value);
            command.ExecuteNonQuery();
        }

        private static string Canonical(IReadOnlyList<SqlValue> row) => string.Concat(row.Select(v => DifferentialTests.Canonical(v) + "|"));

        private static SqlParameters With(params object[] namesAndValues)
        {
            var parameters = new SqlParameters();
            for (int i = 0; i < namesAndValues.Length; i += 2)
                parameters.Set((string)namesAndValues[i], namesAndValues[i + 1]);
            return parameters;
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _reader?.Wait(); // it reads the database, which is closed after this
            }
            catch (AggregateException)
            {
                // Go has reported the reader's failure, or the step that failed first.
            }
            foreach (ReadTransaction held in _heldReads)
                held.Dispose();
            _stop.Dispose();
        }
    }
}
