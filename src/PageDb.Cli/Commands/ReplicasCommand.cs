using System.CommandLine;
using System.Globalization;
using PageDb.Replication;

namespace PageDb.Cli.Commands;

/// <summary><c>pagedb replicas &lt;url&gt;</c>: the generations of a replica, oldest first, with their time ranges and sizes.</summary>
internal static class ReplicasCommand
{
    public static Command Create(CliContext context)
    {
        var url = new Argument<string>("url") { Description = "The replica: s3://bucket/prefix or file:///folder" };
        var command = new Command("replicas", "List the generations of a replica with their time ranges") { url };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(url)!)));
        return command;
    }

    private static int Execute(CliContext context, string url)
    {
        (string store, IReadOnlyList<ReplicaGeneration> generations) = ReplicaStores.ListGenerations(url);
        foreach (ReplicaGeneration generation in generations)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{generation.Name}  {generation.StartedAt:yyyy-MM-dd HH:mm:ss.fff} .. {generation.EndsAt:yyyy-MM-dd HH:mm:ss.fff} UTC  {generation.SegmentCount} segments  {generation.Bytes:N0} bytes{(generation.HasSnapshot ? "" : "  (no snapshot: not restorable)")}"));
        }
        if (generations.Count == 0)
            context.Out.WriteLine($"no generations in {store}");
        return ExitCodes.Ok;
    }
}
