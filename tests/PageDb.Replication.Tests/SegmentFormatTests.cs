using System.Buffers.Binary;
using System.IO.Hashing;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Replication.Tests;

/// <summary>
/// <see cref="SegmentFormat"/>: what it writes reads back, older versions (1 and 2) still read, and what is damaged is
/// refused as corruption naming the key; <see cref="PageDelta"/> turns one version into the next exactly.
/// </summary>
public sealed class SegmentFormatTests
{
    private const int PageSize = 4096;
    private const ulong StateHash = 0xfeed_beef_0123_4567;

    [Test]
    public void A_segment_reads_back_its_steps_as_written()
    {
        byte[] header = Page(0, 1), leaf = Page(4, 2), leafAfter = (byte[])leaf.Clone(), leafLater = (byte[])leaf.Clone();
        leafAfter[100] = 0x55;
        leafLater[100] = 0x66;
        leafLater[3000] = 0x77;
        var writer = new SegmentWriter(PageSize, 0);
        writer.BeginStep(41, DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_100), 10);
        writer.AddWhole(PageNumber.Header, header);
        writer.AddVersion(new PageNumber(4), leaf, leafAfter);
        writer.BeginStep(42, DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_110), 10);
        writer.AddVersion(new PageNumber(4), leafAfter, leafLater);
        var info = new SegmentInfo(3, 0x1234, DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123), 42, 10, StateHash);

        (ArraySegment<byte> written, ulong checksum) = writer.Finish(info);
        byte[] bytes = written.ToArray();
        Segment segment = SegmentFormat.Decode(bytes, "g/3.segment", PageSize);

        Assert.That(segment.Info, Is.EqualTo(info));
        Assert.That(segment.Checksum, Is.EqualTo(checksum));
        Assert.That(segment.Version, Is.EqualTo(3));
        Assert.That(segment.Steps.Select(s => (s.Commits, s.At.ToUnixTimeMilliseconds(), s.DatabaseSize)),
            Is.EqualTo(new[] { (41L, 1_765_000_000_100L, 10u), (42L, 1_765_000_000_110L, 10u) }));
        Assert.That(segment.Steps[0].Pages.Select(p => (p.Page.Value, p.IsDelta)), Is.EqualTo(new[] { (0u, false), (4u, true) }));
        Assert.That(segment.Steps[0].Pages[0].Payload.ToArray(), Is.EqualTo(header));
        Assert.That(segment.Steps[0].Pages[1].Payload.Length, Is.LessThan(16), "one changed byte ships as one short run");
        byte[] replayed = (byte[])leaf.Clone();
        Assert.That(PageDelta.TryApply(segment.Steps[0].Pages[1].Payload.Span, replayed), Is.Null);
        Assert.That(PageDelta.TryApply(segment.Steps[1].Pages[0].Payload.Span, replayed), Is.Null);
        Assert.That(replayed, Is.EqualTo(leafLater));
    }

    [Test]
    public void A_segment_without_steps_records_its_state()
    {
        var info = new SegmentInfo(1, 7, DateTimeOffset.UnixEpoch.AddDays(1), 0, 3, StateHash);
        byte[] bytes = new SegmentWriter(PageSize, 0).Finish(info).Bytes.ToArray();

        Segment segment = SegmentFormat.Decode(bytes, "g/1.segment", PageSize);

        Assert.That(segment.Info, Is.EqualTo(info));
        Assert.That(segment.Steps, Is.Empty);
    }

    [TestCase(0, "not a segment")]
    [TestCase(60, "checksum")]
    [TestCase(-1, "checksum")]
    public void A_damaged_byte_is_refused_naming_the_key(int offset, string says)
    {
        byte[] bytes = OneStep();
        bytes[offset < 0 ? bytes.Length + offset : offset] ^= 0x10;

        var error = Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes, "g/1.segment", PageSize));

        Assert.That(error!.Message, Does.Contain("g/1.segment").And.Contain(says));
    }

    [Test]
    public void A_truncated_segment_or_one_of_another_page_size_is_refused()
    {
        byte[] bytes = OneStep();

        Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes[..^100], "k", PageSize));
        Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes, "k", 2 * PageSize));
    }

    [Test]
    public void Steps_that_do_not_add_up_are_refused_even_under_a_good_checksum()
    {
        var writer = new SegmentWriter(PageSize, 0);
        writer.BeginStep(4, DateTimeOffset.UnixEpoch.AddSeconds(3), 6);
        writer.AddWhole(new PageNumber(1), Page(1, 1));
        writer.BeginStep(5, DateTimeOffset.UnixEpoch.AddSeconds(2), 6); // earlier than the step before
        writer.AddWhole(new PageNumber(1), Page(1, 2));
        byte[] bytes = writer.Finish(new SegmentInfo(1, 7, DateTimeOffset.UnixEpoch.AddSeconds(4), 5, 6, StateHash)).Bytes.ToArray();

        var error = Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes, "k", PageSize));

        Assert.That(error!.Message, Does.Contain("goes back"));
    }

    /// <summary>
    /// A time no <see cref="DateTimeOffset"/> holds (the cut time at 32, a step's at 64 + 8), or a step leaving a
    /// database of no pages, under a good checksum, is refused as damage (which restore and replicas stop at), not an
    /// <see cref="ArgumentOutOfRangeException"/> that ended a replica's following.
    /// </summary>
    [TestCase(32, long.MaxValue, "cut time")]
    [TestCase(32, long.MinValue, "cut time")]
    [TestCase(72, long.MaxValue, "time of step 0")]
    [TestCase(72, -62_135_596_800_001, "time of step 0")]
    public void A_time_out_of_range_is_refused_as_damage(int offset, long milliseconds, string says)
    {
        byte[] bytes = OneStep();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), milliseconds);
        Reseal(bytes);

        var error = Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes, "g/1.segment", PageSize));

        Assert.That(error!.Message, Does.Contain(says).And.Contain("out of range"));
    }

    [Test]
    public void A_step_leaving_no_pages_is_refused_as_damage()
    {
        var writer = new SegmentWriter(PageSize, 0);
        writer.BeginStep(1, DateTimeOffset.UnixEpoch, 0);
        byte[] bytes = writer.Finish(new SegmentInfo(1, 7, DateTimeOffset.UnixEpoch, 1, 0, StateHash)).Bytes.ToArray();

        var error = Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes, "k", PageSize));

        Assert.That(error!.Message, Does.Contain("no pages"));
    }

    [TestCase(2u)]
    [TestCase(1u)]
    public void A_segment_of_an_older_version_reads_as_one_step_of_whole_pages(uint version)
    {
        var info = new SegmentInfo(2, 0x99, DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000), 7, 6, version == 1 ? null : StateHash);
        byte[] bytes = OlderSegment(version, info, [Page(1, 1), Page(5, 5)]);

        Segment segment = SegmentFormat.Decode(bytes, "g/2.segment", PageSize);

        Assert.That(segment.Info, Is.EqualTo(info));
        Assert.That(segment.Version, Is.EqualTo(version));
        SegmentStep step = segment.Steps.Single();
        Assert.That((step.Commits, step.At, step.DatabaseSize), Is.EqualTo((7L, info.CutAt, 6u)), "the step is the whole segment");
        Assert.That(step.Pages.Select(p => (p.Page.Value, p.IsDelta)), Is.EqualTo(new[] { (1u, false), (5u, false) }));
        Assert.That(step.Pages[1].Payload.ToArray(), Is.EqualTo(Page(5, 5)));
    }

    [Test]
    public void A_delta_turns_any_version_into_the_next_exactly_or_declines_when_a_page_is_smaller()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        for (int round = 0; round < 500; round++)
        {
            byte[] before = new byte[PageSize];
            random.NextBytes(before.AsSpan(0, random.Next(PageSize)));
            byte[] after = (byte[])before.Clone();
            int edits = random.Next(0, round % 10 == 0 ? 2000 : 20);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(PageSize);
                random.NextBytes(after.AsSpan(at, Math.Min(random.Next(1, 200), PageSize - at)));
            }
            var buffer = new SegmentBuffer(0);
            bool encoded = PageDelta.TryEncode(before, after, buffer);

            if (!encoded)
            {
                Assert.That(buffer.Length, Is.Zero, TestSeed.Describe(seed));
                continue;
            }
            Assert.That(buffer.Length, Is.LessThan(PageSize), TestSeed.Describe(seed));
            byte[] replayed = (byte[])before.Clone();
            Assert.That(PageDelta.TryApply(buffer.Written, replayed), Is.Null, TestSeed.Describe(seed));
            Assert.That(replayed, Is.EqualTo(after), $"round {round}, {TestSeed.Describe(seed)}");
        }
    }

    /// <summary>
    /// The runs are exactly those of the simple rule: the differing bytes, grouped while fewer than 4 equal bytes (a
    /// run's header) lie between two of them. Edits are single bytes and short stretches at spacings around that gap,
    /// across the 32-byte blocks the encoder compares at once and up to the page's end.
    /// </summary>
    [Test]
    public void A_delta_merges_differences_fewer_than_four_bytes_apart_and_no_others()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        for (int round = 0; round < 2000; round++)
        {
            byte[] before = new byte[PageSize];
            random.NextBytes(before);
            byte[] after = (byte[])before.Clone();
            int at = random.Next(round % 3 == 0 ? PageSize - 80 : 0, PageSize);
            for (int e = random.Next(1, round % 50 == 0 ? 400 : 40); e > 0 && at < PageSize; e--)
            {
                for (int stretch = random.Next(1, random.Next(2) == 0 ? 3 : 40); stretch > 0 && at < PageSize; stretch--)
                    after[at++] ^= (byte)random.Next(1, 256);
                at += random.Next(0, 8);
            }
            var buffer = new SegmentBuffer(0);
            bool encoded = PageDelta.TryEncode(before, after, buffer);

            byte[]? expected = ReferenceDelta(before, after);
            Assert.That(encoded, Is.EqualTo(expected is not null), $"round {round}, {TestSeed.Describe(seed)}");
            Assert.That(buffer.Written.ToArray(), Is.EqualTo(expected ?? []), $"round {round}, {TestSeed.Describe(seed)}");
        }
    }

    [Test]
    public void A_delta_covers_a_range_when_its_runs_write_every_byte_of_it()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        for (int round = 0; round < 500; round++)
        {
            byte[] before = new byte[PageSize];
            byte[] after = (byte[])before.Clone();
            for (int e = random.Next(1, 6); e > 0; e--)
                after[random.Next(0, 64)] = (byte)random.Next(1, 256);
            var buffer = new SegmentBuffer(0);
            Assert.That(PageDelta.TryEncode(before, after, buffer));
            var written = new bool[PageSize];
            for (ReadOnlySpan<byte> runs = buffer.Written; !runs.IsEmpty;)
            {
                int start = BinaryPrimitives.ReadUInt16LittleEndian(runs), length = BinaryPrimitives.ReadUInt16LittleEndian(runs[2..]);
                written.AsSpan(start, length).Fill(true);
                runs = runs[(4 + length)..];
            }
            int offset = random.Next(0, 60), rangeLength = random.Next(1, 5);

            Assert.That(PageDelta.Covers(buffer.Written, offset, rangeLength), Is.EqualTo(written.AsSpan(offset, rangeLength).IndexOf(false) < 0),
                $"round {round}, range {offset}+{rangeLength}, {TestSeed.Describe(seed)}");
        }
    }

    /// <summary>The runs by the rule in one pass over the differing bytes; null when they would take a page or more.</summary>
    private static byte[]? ReferenceDelta(byte[] before, byte[] after)
    {
        List<int> differing = [.. Enumerable.Range(0, PageSize).Where(i => before[i] != after[i])];
        var payload = new List<byte>();
        for (int first = 0; first < differing.Count;)
        {
            int last = first;
            while (last + 1 < differing.Count && differing[last + 1] - differing[last] - 1 < 4)
                last++;
            int start = differing[first], length = differing[last] + 1 - start;
            payload.AddRange([(byte)start, (byte)(start >> 8), (byte)length, (byte)(length >> 8), .. after.AsSpan(start, length)]);
            first = last + 1;
        }
        return payload.Count < PageSize ? [.. payload] : null;
    }

    [Test]
    public void A_delta_whose_runs_leave_the_page_or_go_back_is_refused()
    {
        byte[] page = new byte[PageSize];
        byte[] past = [0xFF, 0x0F, 0x10, 0x00, .. new byte[16]]; // offset 4095, 16 bytes
        byte[] back = [0x10, 0x00, 0x01, 0x00, 0xAA, 0x08, 0x00, 0x01, 0x00, 0xBB]; // 16 then 8

        Assert.That(PageDelta.TryApply(past, page), Does.Contain("past the page"));
        Assert.That(PageDelta.TryApply(back, page), Does.Contain("out of order"));
        Assert.That(PageDelta.TryApply([0x01, 0x00], page), Does.Contain("cut short"));
    }

    /// <summary>
    /// A segment of format version 1 or 2 as the builds before version 3 wrote it (the header, N whole pages, the
    /// checksum; version 1 without the state hash at 56): the fixture older replicas hold.
    /// </summary>
    internal static byte[] OlderSegment(uint version, SegmentInfo info, IReadOnlyList<byte[]> pages)
    {
        int headerSize = version == 1 ? 56 : 64;
        int pageSize = pages[0].Length;
        var bytes = new byte[headerSize + (pages.Count * (4 + pageSize)) + 8];
        Span<byte> header = bytes;
        BinaryPrimitives.WriteUInt64LittleEndian(header, SegmentFormat.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)pageSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], (ulong)info.Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], info.Previous);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], info.CutAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64LittleEndian(header[40..], (ulong)info.Commits);
        BinaryPrimitives.WriteUInt32LittleEndian(header[48..], info.DatabaseSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[52..], (uint)pages.Count);
        if (version != 1)
            BinaryPrimitives.WriteUInt64LittleEndian(header[56..], info.StateHash ?? 0);
        for (int i = 0; i < pages.Count; i++)
        {
            Span<byte> slot = bytes.AsSpan(headerSize + (i * (4 + pageSize)));
            BinaryPrimitives.WriteUInt32LittleEndian(slot, PageHeader.GetPageNumber(pages[i]).Value);
            pages[i].CopyTo(slot[4..]);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));
        return bytes;
    }

    private static void Reseal(byte[] bytes) =>
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));

    private static byte[] OneStep()
    {
        var writer = new SegmentWriter(PageSize, 0);
        writer.BeginStep(1, DateTimeOffset.UnixEpoch, 5);
        writer.AddWhole(PageNumber.Header, Page(0, 1));
        writer.AddWhole(new PageNumber(1), Page(1, 1));
        return writer.Finish(new SegmentInfo(1, 7, DateTimeOffset.UnixEpoch, 1, 5, StateHash)).Bytes.ToArray();
    }

    /// <summary>A sealed page <paramref name="number"/> filled with <paramref name="fill"/>.</summary>
    private static byte[] Page(uint number, byte fill)
    {
        var page = new byte[PageSize];
        page.AsSpan(64).Fill(fill);
        PageHeader.Seal(page, new PageNumber(number));
        return page;
    }
}
