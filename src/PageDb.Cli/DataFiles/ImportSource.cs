namespace PageDb.Cli.DataFiles;

/// <summary>
/// A data file that import can read twice: once to decide the schema, once to load the rows. A regular file is read in
/// place; a pipe (<c>/dev/stdin</c>, a FIFO, process substitution) is copied once into a temporary file, because a
/// second open of a pipe starts wherever the first read stopped and would silently skip the rows the first read took.
/// Disposing deletes the temporary copy.
/// </summary>
internal sealed class ImportSource : IDisposable
{
    private readonly string? _temporaryCopy;

    private ImportSource(string path, string? temporaryCopy)
    {
        Path = path;
        _temporaryCopy = temporaryCopy;
    }

    /// <summary>The path to read the data from: the file itself, or its temporary copy.</summary>
    public string Path { get; }

    /// <summary>Opens <paramref name="file"/>, copying it to a temporary file first when it cannot be read twice.</summary>
    public static ImportSource Open(string file)
    {
        using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (input.CanSeek)
            return new ImportSource(file, null);
        string copy = System.IO.Path.GetTempFileName();
        try
        {
            using (var output = new FileStream(copy, FileMode.Create, FileAccess.Write))
                input.CopyTo(output);
            return new ImportSource(copy, copy);
        }
        catch
        {
            File.Delete(copy);
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_temporaryCopy is not null)
            File.Delete(_temporaryCopy);
    }
}
