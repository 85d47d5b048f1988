using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Keeping a table's secondary indexes in step allocates nothing per index: each write encodes the entries it adds
/// and removes into buffers the table's transaction lends (TableEncodingBuffers), reads the
/// entries of a replaced or deleted row from its record's indexed columns without decoding a row, and checks a unique
/// value with seeks rather than a cursor. Measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> around warm
/// writes in one transaction (<see cref="ReadAllocationTests.Measure"/>), on a table of 0, 1 (unique, on a string)
/// and 2 indexes (the second on a double and the string).
/// </summary>
public class IndexWriteAllocationTests
{
    private const int Rows = 2_000;

    private static readonly TableSchema Items = new("items",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String), new Column("value", ColumnType.Double)],
        primaryKey: ["id"]);

    // Row i as first written, and with another name and value (neither taken by another row in either form).
    private static readonly Row[] First = [.. Enumerable.Range(0, Rows).Select(i => Row.Of((long)i, "item " + i, i / 4.0))];
    private static readonly Row[] Second = [.. Enumerable.Range(0, Rows).Select(i => Row.Of((long)i, "other " + i, i / 2.0))];
    private static readonly Row[] Keys = [.. Enumerable.Range(0, Rows).Select(i => Row.Of((long)i))];

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void A_warm_upsert_that_moves_index_entries_allocates_nothing(int indexes)
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using WriteTransaction tx = db.BeginWrite();
        Table items = Filled(tx, indexes);

        // Every call replaces a row by its other form: its entries are removed and added, the unique name checked.
        long allocated = ReadAllocationTests.Measure(i => items.Upsert((i / Rows % 2 == 0 ? Second : First)[i % Rows]));

        // Not a byte per upsert (any object made per write is 24 or more): the trees' pages, reshaped as entries move
        // between key ranges, may still grow the transaction's page bookkeeping a little (one index: 4,192 bytes
        // over the 5,000 upserts measured, once; none for none and two).
        TestContext.Out.WriteLine($"{indexes} index(es): {allocated} bytes over {ReadAllocationTests.Calls} upserts");
        Assert.That(allocated / ReadAllocationTests.Calls, Is.Zero, $"{allocated} bytes over {ReadAllocationTests.Calls} upserts");
        Assert.That(items.FindProblems(), Is.Empty);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void A_warm_delete_and_insert_allocate_no_more_with_indexes_than_without(int indexes)
    {
        long without = DeleteAndInsertBytes(0, out _);
        long with = DeleteAndInsertBytes(indexes, out List<string> problems);

        TestContext.Out.WriteLine($"delete and insert again: {with} bytes a pair with {indexes} index(es), {without} without");
        Assert.That(with, Is.LessThanOrEqualTo(without));
        Assert.That(problems, Is.Empty);
    }

    /// <summary>The bytes a warm delete of a row and its insert again allocate, with <paramref name="indexes"/> indexes.</summary>
    private static long DeleteAndInsertBytes(int indexes, out List<string> problems)
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using WriteTransaction tx = db.BeginWrite();
        Table items = Filled(tx, indexes);
        long allocated = ReadAllocationTests.Measure(i =>
        {
            items.Delete(Keys[i % Rows]);
            items.Insert(First[i % Rows]);
        });
        problems = items.FindProblems();
        return allocated / ReadAllocationTests.Calls;
    }

    /// <summary>The table with <paramref name="indexes"/> indexes and every row in its first form.</summary>
    private static Table Filled(WriteTransaction tx, int indexes)
    {
        Table items = tx.CreateTable(Items);
        if (indexes > 0)
            items.CreateIndex("by_name", ["name"], unique: true);
        if (indexes > 1)
            items.CreateIndex("by_value", ["value", "name"]);
        foreach (Row row in First)
            items.Insert(row);
        return items;
    }
}
