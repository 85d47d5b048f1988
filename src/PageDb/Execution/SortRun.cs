namespace PageDb.Execution;

/// <summary>
/// One sorted run of rows that did not fit in a <see cref="Sort"/>'s memory budget: written once to a temporary file
/// (deleted when closed), then read back front to back during the merge. Used by one sort on one thread.
/// </summary>
internal sealed class SortRun : IDisposable
{
    private readonly FileStream _file;
    private BinaryReader? _reader;

    private SortRun(FileStream file) => _file = file;

    /// <summary>The row at the front of the run, or null once it is exhausted.</summary>
    public Row? Current { get; private set; }

    /// <summary>The sort keys of <see cref="Current"/>, set by the sort that merges the run.</summary>
    public Records.Value[] CurrentKeys { get; set; } = [];

    /// <summary>The input position of <see cref="Current"/>, which breaks ties so the sort stays stable.</summary>
    public long CurrentSequence { get; private set; }

    /// <summary>Writes <paramref name="rows"/>, already in order, to a new temporary file.</summary>
    public static SortRun Write(IEnumerable<(Row Row, long Sequence)> rows)
    {
        var file = new FileStream(Path.Combine(Path.GetTempPath(), $"pagedb-sort-{Guid.NewGuid():N}.run"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.SequentialScan);
        try
        {
            using (var writer = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                foreach ((Row row, long sequence) in rows)
                    SpilledRowCodec.Write(writer, row, sequence);
            }
            file.Position = 0;
            return new SortRun(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Moves to the next row; false at the end of the run.</summary>
    public bool MoveNext()
    {
        _reader ??= new BinaryReader(_file, System.Text.Encoding.UTF8, leaveOpen: true);
        if (_file.Position >= _file.Length)
        {
            Current = null;
            return false;
        }
        (Row row, long sequence) = SpilledRowCodec.Read(_reader);
        Current = row;
        CurrentSequence = sequence;
        return true;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _file.Dispose();
    }
}
