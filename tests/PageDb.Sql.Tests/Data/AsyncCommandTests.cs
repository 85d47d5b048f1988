using Dapper;
using PageDb.Data;

namespace PageDb.Sql.Tests.Data;

/// <summary>
/// The provider's async path: a write in autocommit, <c>BeginTransactionAsync</c> and <c>CommitAsync</c> await the
/// writer slot and the commit's durability without blocking a thread, and a command cancelled before it gets the slot
/// changes nothing. A writer slot held by another connection of the process (connections to one path share the
/// database) makes the wait observable: the call returns a task that is not complete.
/// </summary>
[TestFixture]
public sealed class AsyncCommandTests
{
    private string _path = "";

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), $"async-{Guid.NewGuid():N}.pagedb");

    [TearDown]
    public void TearDown()
    {
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileName(_path) + "*"))
            File.Delete(file);
    }

    private PageDbConnection Open()
    {
        var connection = new PageDbConnection($"Data Source={_path};Durability=Full");
        connection.Open();
        return connection;
    }

    [Test]
    public async Task Many_concurrent_async_writers_through_Dapper_and_ADO_NET_commit_every_row()
    {
        const int Writers = 24;
        const int RowsPerWriter = 25;
        await using (PageDbConnection setup = Open())
            await setup.ExecuteAsync("CREATE TABLE t(id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, v INTEGER NOT NULL)");

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            await using PageDbConnection db = Open();
            for (int i = 0; i < RowsPerWriter; i++)
            {
                long id = writer * 1_000 + i;
                if (writer % 3 == 0)
                {
                    await using var transaction = (PageDbTransaction)await db.BeginTransactionAsync();
                    await db.ExecuteAsync("INSERT INTO t VALUES (@id, @writer, @v)", new { id, writer, v = i }, transaction);
                    await transaction.CommitAsync();
                }
                else if (writer % 3 == 1)
                {
                    await db.ExecuteAsync("INSERT INTO t VALUES (@id, @writer, @v)", new { id, writer, v = i });
                }
                else
                {
                    await using PageDbCommand insert = db.CreateCommand();
                    insert.CommandText = "INSERT INTO t VALUES (@id, @writer, @v)";
                    insert.Parameters.AddWithValue("@id", id);
                    insert.Parameters.AddWithValue("@writer", writer);
                    insert.Parameters.AddWithValue("@v", i);
                    Assert.That(await insert.ExecuteNonQueryAsync(), Is.EqualTo(1));
                }
            }
        })));

        await using PageDbConnection check = Open();
        var perWriter = (await check.QueryAsync<(long Writer, long Count, long Sum)>(
            "SELECT writer, count(*), sum(v) FROM t GROUP BY writer ORDER BY writer")).ToList();
        Assert.That(perWriter, Is.EqualTo(Enumerable.Range(0, Writers)
            .Select(w => ((long)w, (long)RowsPerWriter, (long)(RowsPerWriter * (RowsPerWriter - 1) / 2)))));
    }

    [Test]
    public async Task A_write_waiting_for_the_writer_slot_returns_an_incomplete_task_and_commits_once_the_slot_is_free()
    {
        await using PageDbConnection holder = Open();
        await using PageDbConnection waiter = Open();
        await using PageDbConnection other = Open();
        await holder.ExecuteAsync("CREATE TABLE t(x INTEGER)");
        using PageDbTransaction held = holder.BeginTransaction();
        holder.Execute("INSERT INTO t VALUES (1)", transaction: held);

        using var command = new PageDbCommand("INSERT INTO t VALUES (2)", waiter);
        using var scalarCommand = new PageDbCommand("INSERT INTO t VALUES (3)", other);
        Task<int> insert = command.ExecuteNonQueryAsync();
        Task<object?> scalar = scalarCommand.ExecuteScalarAsync();
        Assert.That((insert.IsCompleted, scalar.IsCompleted), Is.EqualTo((false, false)), "the calls waited on the caller's thread");

        held.Commit();
        Assert.That(await insert, Is.EqualTo(1));
        Assert.That(await scalar, Is.Null);
        Assert.That(await waiter.QueryAsync<long>("SELECT x FROM t ORDER BY x"), Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test]
    public async Task A_command_cancelled_while_waiting_for_the_writer_slot_changes_nothing()
    {
        await using PageDbConnection holder = Open();
        await using PageDbConnection waiter = Open();
        await holder.ExecuteAsync("CREATE TABLE t(x INTEGER)");
        using (PageDbTransaction held = holder.BeginTransaction())
        {
            using var cancel = new CancellationTokenSource();
            Task<int> insert = waiter.ExecuteAsync(new CommandDefinition("INSERT INTO t VALUES (2)", cancellationToken: cancel.Token));
            await using PageDbConnection other = Open();
            using var command = new PageDbCommand("INSERT INTO t VALUES (3)", other);
            Task<System.Data.Common.DbDataReader> reader = command.ExecuteReaderAsync(cancel.Token);
            Assert.That((insert.IsCompleted, reader.IsCompleted), Is.EqualTo((false, false)));
            await cancel.CancelAsync();
            Assert.That(async () => await insert, Throws.InstanceOf<OperationCanceledException>());
            Assert.That(async () => await reader, Throws.InstanceOf<OperationCanceledException>());
            holder.Execute("INSERT INTO t VALUES (1)", transaction: held);
            held.Commit();
        }
        await waiter.ExecuteAsync("INSERT INTO t VALUES (4)");
        Assert.That(await waiter.QueryAsync<long>("SELECT x FROM t ORDER BY x"), Is.EqualTo(new long[] { 1, 4 }));
    }

    [Test]
    public async Task BeginTransactionAsync_waits_for_the_slot_and_a_cancelled_one_begins_nothing()
    {
        await using PageDbConnection holder = Open();
        await using PageDbConnection waiter = Open();
        await holder.ExecuteAsync("CREATE TABLE t(x INTEGER)");
        using PageDbTransaction held = holder.BeginTransaction();

        using (var cancel = new CancellationTokenSource())
        {
            ValueTask<System.Data.Common.DbTransaction> cancelled = waiter.BeginTransactionAsync(cancel.Token);
            Assert.That(cancelled.IsCompleted, Is.False);
            await cancel.CancelAsync();
            Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        }
        ValueTask<System.Data.Common.DbTransaction> begin = waiter.BeginTransactionAsync();
        Assert.That(begin.IsCompleted, Is.False);
        held.Rollback();
        await using var transaction = (PageDbTransaction)await begin;
        await waiter.ExecuteAsync("INSERT INTO t VALUES (1)", transaction: transaction);

        Assert.That(async () => await transaction.CommitAsync(new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        await transaction.CommitAsync();
        Assert.That(await holder.ExecuteScalarAsync<long>("SELECT count(*) FROM t"), Is.EqualTo(1));
    }
}
