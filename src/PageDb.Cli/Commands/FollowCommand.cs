using System.CommandLine;
using System.Globalization;
using PageDb.Replication;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb follow &lt;url&gt; &lt;db&gt; [--poll ms] [--for seconds]</c>: keeps a read replica at &lt;db&gt; up to date
/// from a replica store (resumed from the replica &lt;db&gt; already holds, or restored afresh, replacing what the path
/// held: the first line says which and why), printing a line each time it moves on, until interrupted (Ctrl+C) or,
/// with --for, until that time has passed.
/// </summary>
internal static class FollowCommand
{
    public static Command Create(CliContext context)
    {
        var url = new Argument<string>("url") { Description = "The replica: s3://bucket/prefix or file:///folder" };
        var db = CommonArguments.Database();
        var poll = new Option<int>("--poll") { Description = "Milliseconds between polls of the store", DefaultValueFactory = _ => 1000 };
        var duration = new Option<double?>("--for") { Description = "Stop after this many seconds (default: until interrupted)" };
        var command = new Command("follow", "Keep a read replica at <db> up to date from a replica store") { url, db, poll, duration };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(url)!, r.GetValue(db)!, r.GetValue(poll), r.GetValue(duration))));
        return command;
    }

    private static int Execute(CliContext context, string url, string path, int pollMilliseconds, double? seconds)
    {
        if (pollMilliseconds <= 0)
            throw new CliException("--poll must be a positive number of milliseconds");
        IReplicaStore store = ReplicaStores.Open(url);
        using var stop = new ManualResetEventSlim();
        ConsoleCancelEventHandler interrupted = (_, e) =>
        {
            e.Cancel = true;
            stop.Set();
        };
        Console.CancelKeyPress += interrupted;
        try
        {
            TimeSpan poll = TimeSpan.FromMilliseconds(pollMilliseconds);
            using ReadReplica replica = PageDatabase.OpenReplica(store, path, poll);
            context.Out.WriteLine($"opened {path}: {replica.Resume}");
            DateTime until = seconds is { } limit ? DateTime.UtcNow.AddSeconds(limit) : DateTime.MaxValue;
            (string Generation, long Commits) shown = default;
            do
            {
                (string, long) now = (replica.Generation, replica.Commits);
                if (now != shown)
                {
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"following {url} at {path}: generation {replica.Generation}, {replica.Commits} commits, shipped at {replica.ShippedAt:yyyy-MM-dd HH:mm:ss.fff} UTC"));
                    shown = now;
                }
                if (replica.LastError is { } error)
                    context.Err.WriteLine("pagedb: " + error);
            }
            while (!stop.Wait(Min(poll, until - DateTime.UtcNow)) && DateTime.UtcNow < until);
            return ExitCodes.Ok;
        }
        catch (ReplicaStoreException e)
        {
            throw new CliException(e.Message);
        }
        finally
        {
            Console.CancelKeyPress -= interrupted;
            (store as IDisposable)?.Dispose();
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : (b > TimeSpan.Zero ? b : TimeSpan.Zero);
}
