using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// The cheapest page accessor: pages in a list, freed pages on a stack, no pin counting, no files. Lets the tree
/// micro-benchmarks measure the tree alone (the bench cannot reference the test projects' accessor).
/// </summary>
internal sealed class MemoryPageAccessor(int pageSize = 4096) : IPageAccessor
{
    private readonly List<Frame?> _frames = [null]; // page 0 is the file header in real files: never handed out
    private readonly Stack<uint> _free = new();

    public int PageSize => pageSize;

    public string FilePath => "(memory)";

    public uint FormatVersion => FileHeaderPage.CurrentFormatVersion;

    public uint PageCount => (uint)_frames.Count;

    public int LivePageCount => _frames.Count - 1 - _free.Count;

    public PageHandle Read(PageNumber page) => new(_frames[(int)page.Value]!, isWritable: false);

    public PageHandle Write(PageNumber page) => new(_frames[(int)page.Value]!, isWritable: true);

    public PageHandle Allocate(PageType type)
    {
        uint number = _free.Count > 0 ? _free.Pop() : (uint)_frames.Count;
        var frame = new Frame(new byte[pageSize], new PageNumber(number));
        if (number == _frames.Count)
            _frames.Add(frame);
        else
            _frames[(int)number] = frame;
        PageHeader.Initialize(frame.Buffer, type, frame.Number);
        return new PageHandle(frame, isWritable: true);
    }

    public void Free(PageNumber page)
    {
        _frames[(int)page.Value] = null;
        _free.Push(page.Value);
    }

    private sealed class Frame : PageFrame
    {
        public Frame(byte[] buffer, PageNumber number) : base(buffer) => Number = number;

        public override void Unpin()
        {
        }
    }
}
