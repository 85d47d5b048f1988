using Spectre.Console;

namespace PageDb.Cli;

/// <summary>
/// The progress bar of a backup on standard error: pages copied of the snapshot's pages. Shown only when standard error
/// is a terminal, so scripts, pipes and tests see nothing of it.
/// </summary>
internal static class BackupProgressBar
{
    /// <summary>
    /// Runs <paramref name="work"/> with a progress reporter that moves a bar on standard error when
    /// <paramref name="show"/> is true, and with none otherwise.
    /// </summary>
    public static void Run(bool show, string description, Action<IProgress<BackupProgress>?> work)
    {
        if (!show)
        {
            work(null);
            return;
        }
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(description), maxValue: 1);
                work(new TaskProgress(task));
                task.Value = task.MaxValue;
            });
    }

    private sealed class TaskProgress(ProgressTask task) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value)
        {
            task.MaxValue = Math.Max(1, value.PageCount);
            task.Value = value.PagesCopied;
        }
    }
}
