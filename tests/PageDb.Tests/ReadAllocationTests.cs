using System.Buffers;
using System.Buffers.Binary;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Warm reads into caller-reused buffers allocate nothing: a key-value lookup into an <see cref="ArrayBufferWriter{T}"/>
/// or through a span callback, and a table lookup into a <see cref="RowBuffer"/>, measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over many calls after a warm-up.
/// </summary>
public class ReadAllocationTests
{
    private const int Rows = 2_000;
    internal const int Calls = 5_000;

    private static readonly TableSchema Items = new("items",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String), new Column("value", ColumnType.Double)],
        primaryKey: ["id"]);

    [Test]
    public void A_warm_key_value_lookup_into_a_reused_buffer_or_a_callback_allocates_nothing()
    {
        using PageDatabase db = Filled();
        using ReadTransaction tx = db.BeginRead();
        Tree tree = tx.GetTree("kv");
        var value = new ArrayBufferWriter<byte>(256);
        byte[] key = new byte[8];
        long sum = 0;

        long allocated = Measure(i =>
        {
            BinaryPrimitives.WriteInt64BigEndian(key, i % Rows);
            value.ResetWrittenCount();
            tree.TryGet(key, value);
            sum += value.WrittenCount;
            tree.TryRead(key, 0, static (found, _) => { });
        });

        Assert.That(sum, Is.EqualTo(2L * Calls * 100), "every lookup found its 100-byte value");
        Assert.That(allocated, Is.Zero, $"{allocated} bytes over {Calls} lookups");
    }

    [Test]
    public void A_warm_table_lookup_into_a_reused_row_allocates_nothing()
    {
        using PageDatabase db = Filled();
        using ReadTransaction tx = db.BeginRead();
        Table items = tx.GetTable("items");
        var row = new RowBuffer();
        Row key = Row.Of(5L);
        double sum = 0;

        long allocated = Measure(i =>
        {
            items.TryGet(i % Rows, row);
            sum += row.GetDouble(2) + row.GetInt64(0);
            items.TryGet(key, row);
            sum -= row.GetInt64(0);
        });

        Assert.That(sum, Is.GreaterThan(0));
        Assert.That(allocated, Is.Zero, $"{allocated} bytes over {Calls} lookups");
    }

    /// <summary>The bytes <paramref name="call"/> allocates over <see cref="Calls"/> calls after as many to warm up.</summary>
    internal static long Measure(Action<int> call)
    {
        for (int i = 0; i < Calls; i++)
            call(i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
            call(i);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static PageDatabase Filled()
    {
        PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Tree kv = tx.CreateTree("kv");
        Table items = tx.CreateTable(Items);
        byte[] key = new byte[8];
        byte[] value = new byte[100];
        for (long id = 0; id < Rows; id++)
        {
            BinaryPrimitives.WriteInt64BigEndian(key, id);
            kv.Put(key, value);
            items.Insert(Row.Of(id, "item " + id, id / 4.0));
        }
        tx.Commit();
        return db;
    }
}
