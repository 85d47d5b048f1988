namespace PageDb.Wal.Tests;

/// <summary>Frames stored without their longest zero run (src/PageDb.Wal/ZeroRunElision.cs).</summary>
public sealed class ZeroRunElisionTests
{
    [Test]
    public void Random_pages_round_trip_and_lose_exactly_their_longest_zero_run()
    {
        int seed = TestContext.CurrentContext.Random.Next();
        var random = new Random(seed);
        foreach (int pageSize in new[] { 4096, 8192, 65536 })
        {
            for (int round = 0; round < 300; round++)
            {
                byte[] page = RandomPage(random, pageSize);
                byte[] stored = new byte[pageSize];
                int length = ZeroRunElision.TryElide(page, stored);
                int longest = LongestZeroRun(page);
                string context = $"seed {seed} (NUnit's random seed for this test), page size {pageSize}, round {round}, longest run {longest}";
                if (longest < ZeroRunElision.MinRun)
                {
                    Assert.That(length, Is.Zero, context);
                    continue;
                }
                Assert.That(length, Is.EqualTo(4 + pageSize - Math.Min(longest, ushort.MaxValue)), context);
                byte[] restored = new byte[pageSize];
                Array.Fill(restored, (byte)0xEE);
                stored.AsSpan(0, length).CopyTo(restored);
                Assert.That(ZeroRunElision.TryRestoreInPlace(restored, length), Is.True, context);
                Assert.That(restored, Is.EqualTo(page), context);
            }
        }
    }

    [Test]
    public void An_all_zero_64_KB_page_keeps_one_byte()
    {
        byte[] page = new byte[65536];
        byte[] stored = new byte[65536];
        int length = ZeroRunElision.TryElide(page, stored);
        Assert.That(length, Is.EqualTo(5));
        byte[] restored = new byte[65536];
        restored[^1] = 7;
        stored.AsSpan(0, length).CopyTo(restored);
        Assert.That(ZeroRunElision.TryRestoreInPlace(restored, length), Is.True);
        Assert.That(restored.All(b => b == 0), Is.True);
    }

    [TestCase(0, 63, 4096 - 63 + 4)]
    [TestCase(4000, 200, 4096 - 200 + 4)]
    [TestCase(10, 100, 4096)]
    [TestCase(10, 100, 4096 - 100 + 3)]
    public void A_malformed_stored_image_is_refused(int offset, int length, int storedLength)
    {
        byte[] page = new byte[4096];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(page, (ushort)offset);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(2), (ushort)length);
        Assert.That(ZeroRunElision.TryRestoreInPlace(page, storedLength), Is.False);
    }

    /// <summary>
    /// Mostly random bytes with a few zero runs of random lengths, like a slotted page's gap and zero fields; or, in a
    /// third of the pages, many short runs around the run-length threshold, like cells of zero-filled values.
    /// </summary>
    private static byte[] RandomPage(Random random, int pageSize)
    {
        byte[] page = new byte[pageSize];
        random.NextBytes(page);
        bool manyShort = random.Next(3) == 0;
        int runs = manyShort ? random.Next(20, 200) : random.Next(0, 4);
        for (int i = 0; i < runs; i++)
        {
            int length = manyShort ? random.Next(1, 2 * ZeroRunElision.MinRun) : random.Next(1, random.Next(2) == 0 ? 200 : pageSize);
            int start = random.Next(0, pageSize - length + 1);
            page.AsSpan(start, length).Clear();
        }
        return page;
    }

    private static int LongestZeroRun(byte[] page)
    {
        int best = 0, current = 0;
        foreach (byte b in page)
        {
            current = b == 0 ? current + 1 : 0;
            best = Math.Max(best, current);
        }
        return best;
    }
}
