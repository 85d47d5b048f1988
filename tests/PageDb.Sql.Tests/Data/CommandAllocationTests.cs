using System.Data;
using System.Data.Common;
using PageDb.Data;

namespace PageDb.Sql.Tests.Data;

/// <summary>
/// What a warm prepared command allocates through PageDb.Data, per point lookup by the primary key and per row of a
/// key-range read, measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> over many runs after a warm-up.
/// The bounds are what the path reached when they were set (docs/benchmarks.md, "SQL prepared-statement path"), with
/// a little room: a change that makes each run build its plan, parameters or rows again fails them.
/// </summary>
[TestFixture]
public sealed class CommandAllocationTests
{
    private const int Rows = 2_000;
    private const int Runs = 2_000;

    /// <summary>
    /// Per lookup (1,784 bytes when set; 448 once a top-level point read by the integer key read its row into a holder
    /// the session's next reader reuses, without the loop's iterator, frame and row arrays): the read transaction and
    /// table, the boxed parameter value, the readers and the row's name string.
    /// </summary>
    private const long PointLookupBound = 500;

    /// <summary>
    /// Per row of a 100-row range (94 bytes when first set; 208 before the read decoded into a reused buffer): a
    /// hundredth of the run's set-up, since the reader's rows reuse one array (28 bytes in the bench's W5 then; about 18
    /// once the range read straight from the scan and the command reused its readers' parameter sets; about 16.5 once a
    /// session's readers reused the runner, catalog and execution context a disposed reader gave back).
    /// </summary>
    private const long RangeRowBound = 20;

    /// <summary>
    /// Per row of a full scan (56 bytes when first set, its result row; 700 when the scan read the table into a list
    /// first): now a 2,000th of the run's set-up, since the reader's rows reuse one array.
    /// </summary>
    private const long ScanRowBound = 4;

    /// <summary>
    /// What a warm ExecuteScalarAsync that completes without waiting (a read) allocates beyond ExecuteScalar: its
    /// task and the session's reader task, 144 bytes when set. The command's parameter set is not among them (248
    /// bytes when the async forms bound into a new set each run): both forms bind into the set the last run gave back.
    /// </summary>
    private const long AsyncTasksBound = 160;

    private string _folder = "";
    private PageDbConnection _connection = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("pagedb-alloc-").FullName;
        _connection = new PageDbConnection($"Data Source={Path.Combine(_folder, "alloc.pagedb")};Mode=ReadWriteCreate");
        _connection.Open();
        using PageDbCommand create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL, note TEXT NOT NULL)";
        create.ExecuteNonQuery();
        using PageDbTransaction transaction = _connection.BeginTransaction();
        using PageDbCommand insert = Prepared("INSERT INTO items VALUES (@id, @name, @value, @note)", "@id", "@name", "@value", "@note");
        for (long id = 0; id < Rows; id++)
        {
            insert.Parameters[0].Value = id;
            insert.Parameters[1].Value = "item " + id;
            insert.Parameters[2].Value = id / 4.0;
            insert.Parameters[3].Value = new string('n', 100);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    [TearDown]
    public void TearDown()
    {
        _connection.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public void A_warm_prepared_point_lookup_allocates_no_more_than_its_bound()
    {
        using PageDbCommand get = Prepared("SELECT name, value FROM items WHERE id = @id", "@id");
        double sum = 0;
        int found = 0;

        double perLookup = Measure(i =>
        {
            get.Parameters[0].Value = (long)(i % Rows);
            using DbDataReader reader = get.ExecuteReader();
            if (reader.Read())
                found++;
            sum += reader.GetString(0).Length + reader.GetDouble(1);
        });

        Assert.That(found, Is.EqualTo(2 * Runs), "every lookup found its row");
        Assert.That(sum, Is.GreaterThan(0));
        Assert.That(perLookup, Is.LessThanOrEqualTo(PointLookupBound), $"{perLookup:F0} bytes per lookup");
    }

    [Test]
    public void A_warm_prepared_range_read_allocates_no_more_than_its_bound_per_row()
    {
        using PageDbCommand range = Prepared("SELECT value FROM items WHERE id >= @from AND id < @to ORDER BY id", "@from", "@to");
        long rows = 0;

        double perRun = Measure(i =>
        {
            long from = i % (Rows - 100);
            range.Parameters[0].Value = from;
            range.Parameters[1].Value = from + 100;
            using DbDataReader reader = range.ExecuteReader();
            while (reader.Read())
                rows += reader.GetDouble(0) >= 0 ? 1 : 0;
        });

        Assert.That(rows, Is.EqualTo(2L * Runs * 100), "every range read its 100 rows");
        Assert.That(perRun / 100, Is.LessThanOrEqualTo(RangeRowBound), $"{perRun / 100:F0} bytes per row");
    }

    [Test]
    public void A_warm_prepared_full_scan_allocates_no_more_than_its_bound_per_row()
    {
        using PageDbCommand scan = Prepared("SELECT value FROM items ORDER BY id");
        long rows = 0;
        double perRun = Measure(_ =>
        {
            using DbDataReader reader = scan.ExecuteReader();
            while (reader.Read())
                rows += reader.GetDouble(0) >= 0 ? 1 : 0;
        }, runs: 20);
        Assert.That(rows, Is.EqualTo(2L * 20 * Rows), "every scan read every row");
        Assert.That(perRun / Rows, Is.LessThanOrEqualTo(ScanRowBound), $"{perRun / Rows:F0} bytes per row");
    }

    [Test]
    public void A_warm_async_point_lookup_allocates_what_the_sync_one_does_and_its_tasks()
    {
        using PageDbCommand get = Prepared("SELECT value FROM items WHERE id = @id", "@id");
        double sum = 0;
        double sync = Measure(i =>
        {
            get.Parameters[0].Value = (long)(i % Rows);
            sum += (double)get.ExecuteScalar()!;
        });
        double async = Measure(i =>
        {
            get.Parameters[0].Value = (long)(i % Rows);
            sum += (double)get.ExecuteScalarAsync().GetAwaiter().GetResult()!;
        });

        Assert.That(sum, Is.GreaterThan(0));
        TestContext.Out.WriteLine($"{sync:F0} bytes per ExecuteScalar, {async:F0} per ExecuteScalarAsync");
        Assert.That(async - sync, Is.LessThanOrEqualTo(AsyncTasksBound), $"{async - sync:F0} bytes more per async lookup");
    }

    private PageDbCommand Prepared(string sql, params string[] parameterNames)
    {
        PageDbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (string name in parameterNames)
            command.Parameters.Add(new PageDbParameter { ParameterName = name, DbType = DbType.Int64 });
        command.Prepare();
        return command;
    }

    /// <summary>The bytes allocated per run of <paramref name="run"/> over <paramref name="runs"/> runs, after as many to warm up.</summary>
    private static double Measure(Action<int> run, int runs = Runs)
    {
        for (int i = 0; i < runs; i++)
            run(i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < runs; i++)
            run(i);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)runs;
    }
}
