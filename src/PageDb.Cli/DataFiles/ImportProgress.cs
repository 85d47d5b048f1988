using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PageDb.Cli.DataFiles;

/// <summary>
/// The progress bar of an import on standard error: how much of the input is read (of a file, its bytes; of a SQLite
/// database, its rows), and rows per second. Shown only when standard error is a terminal, so scripts, pipes and tests
/// see nothing of it.
/// </summary>
internal sealed class ImportProgress
{
    private const int RowsPerUpdate = 1024;

    private readonly Func<long>? _position;
    private ProgressTask? _task;
    private long _rows;

    /// <summary>A progress whose bar moves to <paramref name="position"/>, or to the rows done when it is null.</summary>
    private ImportProgress(Func<long>? position) => _position = position;

    /// <summary>As <see cref="Run(bool, string, long, Func{long}?, Action{ImportProgress})"/>, the bar showing how far <paramref name="reader"/> has read its file.</summary>
    public static void Run(bool show, string description, IRecordReader reader, Action<ImportProgress> work) =>
        Run(show, description, reader.Length, () => reader.Position, work);

    /// <summary>
    /// Runs <paramref name="work"/>, which calls <see cref="RowDone"/> for each row, behind a progress bar on
    /// standard error when <paramref name="show"/> is true: the bar goes from 0 to <paramref name="length"/> as
    /// <paramref name="position"/> (the rows done, when null) says.
    /// </summary>
    public static void Run(bool show, string description, long length, Func<long>? position, Action<ImportProgress> work)
    {
        var progress = new ImportProgress(position);
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
                progress._task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, length));
                work(progress);
                progress._task.Value = progress._task.MaxValue;
            });
    }

    /// <summary>Counts one row; every so often moves the bar to how far the input has been read.</summary>
    public void RowDone()
    {
        long rows = Interlocked.Increment(ref _rows);
        if (rows % RowsPerUpdate == 0 && _task is not null)
            _task.Value = _position?.Invoke() ?? rows;
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
