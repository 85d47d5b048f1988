using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Wal.Tests;

/// <summary>
/// Count frames (<see cref="WalFormat"/> invariant 5, format version 4): 8 bytes logged instead of a page whose only
/// change is at offset 32-39, read back as the page's previous full frame with those bytes put in and sealed again.
/// </summary>
public sealed class CountFrameTests
{
    private const int PageSize = 4096;
    private static readonly PageNumber Root = new(1);

    [Test]
    public void A_count_frame_takes_40_bytes_and_reads_as_its_base_with_the_count_after_a_reopen_and_in_a_checkpoint()
    {
        using var harness = new WalHarness();
        byte[] root = Sealed(Pages.Random(new Random(3), PageSize, Root.Value));
        harness.Wal.Commit(Root, root, databaseSizeInPages: 2, sync: false);
        byte[] counted = WithCount(root, 12_345);
        Assert.That(harness.Wal.CanLogCountOver(Root, harness.Wal.FindFrame(Root, harness.Wal.LastCommit)), Is.True);

        long before = harness.Wal.LogBytes;
        harness.Wal.AppendCommit(Root, counted, databaseSizeInPages: 2, sync: false, countOnly: true);

        Assert.That(harness.Wal.LogBytes - before, Is.EqualTo(WalFormat.FrameHeaderSize + WalFormat.CountStoredLength));
        Assert.That(harness.Read(Root.Value, harness.Wal.LastCommit), Is.EqualTo(counted));
        harness.Reopen();
        Assert.That(harness.Read(Root.Value, harness.Wal.LastCommit), Is.EqualTo(counted), "after recovery");
        harness.Wal.Verify();
        harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit);
        Assert.That(harness.Database.Pages[Root.Value], Is.EqualTo(counted), "the checkpoint writes the page with its count");
    }

    [Test]
    public void A_count_frame_over_a_damaged_base_does_not_decode_instead_of_being_sealed_afresh()
    {
        using var harness = new WalHarness();
        byte[] unsealed = Pages.Random(new Random(4), PageSize, Root.Value);
        unsealed[PageHeader.ChecksumOffset] ^= 0xFF; // whatever the random bytes were, now they are not its checksum
        harness.Wal.Commit(Root, unsealed, databaseSizeInPages: 2, sync: false);
        harness.Wal.AppendCommit(Root, WithCount(unsealed, 7), databaseSizeInPages: 2, sync: false, countOnly: true);

        Assert.Throws<CorruptDatabaseException>(() => harness.Read(Root.Value, harness.Wal.LastCommit));
    }

    [Test]
    public void Recovery_refuses_a_count_frame_with_no_earlier_frame_of_its_page()
    {
        var storage = new MemoryStorage();
        using (var harness = new WalHarness(storage: storage))
        {
            byte[] root = Sealed(Pages.Random(new Random(5), PageSize, Root.Value));
            harness.Wal.Commit(Root, root, databaseSizeInPages: 2, sync: false);
            harness.Wal.AppendCommit(Root, WithCount(root, 9), databaseSizeInPages: 2, sync: false, countOnly: true);
        }
        byte[] wal = storage.GetContents(WalHarness.WalPath);
        List<WalSurgery.Frame> frames = WalSurgery.Frames(wal, PageSize);
        WalSurgery.SetPage(wal, frames.Single(frame => frame.IsCount), 0); // page 0 has no frame before it
        WalSurgery.Rechain(wal, frames);
        storage.SetContents(WalHarness.WalPath, wal);

        var error = Assert.Throws<CorruptDatabaseException>(() => new WalHarness(storage: storage).Dispose());
        Assert.That(error!.Message, Does.Contain("count frame"));
    }

    [Test]
    public void An_index_entry_stays_40_bytes() =>
        Assert.That(Unsafe.SizeOf<WalIndex.FrameEntry>(), Is.EqualTo(40), "one entry per frame: a larger one costs every commit");

    private static byte[] Sealed(byte[] image)
    {
        PageHeader.Seal(image, new PageNumber(BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(PageHeader.PageNumberOffset))));
        return image;
    }

    private static byte[] WithCount(byte[] image, long count)
    {
        byte[] counted = (byte[])image.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(counted.AsSpan(WalFormat.CountFieldOffset), count);
        return Sealed(counted);
    }
}
