using BenchmarkDotNet.Attributes;
using PageDb.Core.Pages;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// One 4 KB slotted page: filling it with 20-byte cells at the end (the B+tree's append pattern) and in the middle,
/// reading every cell, and replacing cells with same-size and different-size ones. Figures are per operation.
/// </summary>
[MemoryDiagnoser]
public class SlottedPageBenchmarks
{
    private const int CellLength = 20;
    private readonly byte[] _page = new byte[4096];
    private readonly byte[] _fullPage = new byte[4096];
    private readonly byte[] _cell = new byte[CellLength];
    private readonly byte[] _longerCell = new byte[CellLength + 8];
    private int _cells;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_cell);
        _cells = Fill(appendAtEnd: true);
        _page.CopyTo(_fullPage);
    }

    /// <summary>Inserts at the last slot until the page is full; per insert.</summary>
    [Benchmark(OperationsPerInvoke = 170)]
    public int InsertAtEnd() => Fill(appendAtEnd: true);

    /// <summary>Inserts at the middle slot (pointer array shifts) until the page is full; per insert.</summary>
    [Benchmark(OperationsPerInvoke = 170)]
    public int InsertInMiddle() => Fill(appendAtEnd: false);

    /// <summary>Reads every cell of a full page through the read-only view; per cell.</summary>
    [Benchmark(OperationsPerInvoke = 170)]
    public int GetCell()
    {
        var reader = new SlottedPageReader(_fullPage, "bench.pagedb");
        int sum = 0;
        for (int i = 0; i < _cells; i++)
            sum += reader.GetCell(i)[0];
        return sum;
    }

    /// <summary>Replaces a cell with a longer one and back (freeblock reuse); per replace.</summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public bool ReplaceResize()
    {
        SlottedPage page = SlottedPage.Format(_page, PageType.Slotted, new PageNumber(1), "bench.pagedb");
        for (int i = 0; i < 100; i++)
            page.TryInsert(i, _cell);
        bool ok = true;
        for (int i = 0; i < 50; i++)
        {
            ok &= page.TryReplace(i, _longerCell);
            ok &= page.TryReplace(i, _cell);
        }
        return ok;
    }

    private int Fill(bool appendAtEnd)
    {
        SlottedPage page = SlottedPage.Format(_page, PageType.Slotted, new PageNumber(1), "bench.pagedb");
        int count = 0;
        while (page.TryInsert(appendAtEnd ? count : count / 2, _cell))
            count++;
        return count;
    }
}
