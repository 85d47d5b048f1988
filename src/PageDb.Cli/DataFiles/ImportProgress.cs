using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PageDb.Cli.DataFiles;

/// <summary>
/// The progress bar of an import on standard error: how much of the file is read, and rows per second. Shown only
/// when standard error is a terminal, so scripts, pipes and tests see nothing of it.
/// </summary>
internal sealed class ImportProgress
{
    private const int RowsPerUpdate = 1024;

    private readonly IRecordReader _reader;
    private ProgressTask? _task;
    private long _rows;

    private ImportProgress(IRecordReader reader) => _reader = reader;

    /// <summary>
    /// Runs <paramref name="work"/>, which calls <see cref="RowDone"/> for each row, behind a progress bar on
    /// standard error when <paramref name="show"/> is true.
    /// </summary>
    public static void Run(bool show, string description, IRecordReader reader, Action<ImportProgress> work)
    {
        var progress = new ImportProgress(reader);
        if (!show)
        {
            work(progress);
            return;
        }
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RowRateColumn(progress))
            .Start(context =>
            {
                progress._task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, reader.Length));
                work(progress);
                progress._task.Value = progress._task.MaxValue;
            });
    }

    /// <summary>Counts one row; every so often moves the bar to how far the file has been read.</summary>
    public void RowDone()
    {
        if (Interlocked.Increment(ref _rows) % RowsPerUpdate == 0 && _task is not null)
            _task.Value = _reader.Position;
    }

    /// <summary>Rows and rows per second since the start, for the bar.</summary>
    private sealed class RowRateColumn(ImportProgress progress) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            long rows = Interlocked.Read(ref progress._rows);
            double seconds = (task.ElapsedTime ?? TimeSpan.Zero).TotalSeconds;
            double rate = seconds > 0 ? rows / seconds : 0;
            return new Text(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} rows, {rate:N0} rows/s"));
        }
    }
}
