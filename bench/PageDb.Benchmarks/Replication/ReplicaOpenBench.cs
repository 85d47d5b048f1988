using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using PageDb.Replication;

namespace PageDb.Benchmarks.Replication;

/// <summary>
/// How long a read replica takes to open: from scratch (a restore from the store: the snapshot and segments
/// downloaded, replayed, and every page read once for the state hash) against a resume from its own file (the
/// position file checked, every page read once for the state hash, no download). A database of N rows (8-byte keys,
/// 100-byte values, in transactions of 10,000) is shipped to a folder store by a replicated open and close; then each
/// repetition opens a replica from scratch and resumes it. Wall time and process CPU time per open, each repetition.
/// Arguments: [--rows 1000000] [--reps 3].
/// </summary>
public static class ReplicaOpenBench
{
    public static int Run(IReadOnlyList<string> args)
    {
        int rows = int.Parse(ReplicationBench.Option(args, "--rows") ?? "1000000", CultureInfo.InvariantCulture);
        int reps = int.Parse(ReplicationBench.Option(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        string folder = Path.Combine(Path.GetTempPath(), "pagedb-replica-open-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var store = new FolderReplicaStore(Path.Combine(folder, "store"));
            string primary = Path.Combine(folder, "primary.pagedb");
            Fill(primary, rows);
            using (PageDatabase.Open(primary, new PageDbOptions { Replication = new ReplicationOptions { Store = store } }))
            {
                // The close ships the snapshot and its first segment.
            }
            Console.WriteLine($"{rows:N0} rows, database file {new FileInfo(primary).Length / (1 << 20):N0} MiB");
            Console.WriteLine("| repetition | from scratch (restore): wall | CPU | resume from the local file: wall | CPU |");
            Console.WriteLine("|---|---|---|---|---|");
            string replica = Path.Combine(folder, "replica.pagedb");
            for (int rep = 1; rep <= reps; rep++)
            {
                foreach (string file in Directory.GetFiles(folder, "replica.pagedb*"))
                    File.Delete(file);
                (double scratchWall, double scratchCpu, string scratchNote) = TimeOpen(store, replica);
                (double resumeWall, double resumeCpu, string resumeNote) = TimeOpen(store, replica);
                if (!scratchNote.StartsWith("restored from scratch", StringComparison.Ordinal) || resumeNote.StartsWith("restored from scratch", StringComparison.Ordinal))
                    throw new InvalidOperationException($"unexpected opens: '{scratchNote}', then '{resumeNote}'");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {rep} | {scratchWall:N0} ms | {scratchCpu:N0} ms | {resumeWall:N0} ms | {resumeCpu:N0} ms |"));
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Fill(string path, int rows)
    {
        using PageDatabase database = PageDatabase.Open(path);
        var key = new byte[8];
        var value = new byte[100];
        for (int first = 0; first < rows; first += 10_000)
        {
            using WriteTransaction transaction = database.BeginWrite();
            Tree tree = transaction.GetOrCreateTree("rows");
            for (int row = first; row < Math.Min(first + 10_000, rows); row++)
            {
                BinaryPrimitives.WriteInt64BigEndian(key, row);
                BinaryPrimitives.WriteInt64LittleEndian(value, row * 7919L);
                tree.Put(key, value);
            }
            transaction.Commit();
        }
    }

    private static (double WallMilliseconds, double CpuMilliseconds, string Resume) TimeOpen(IReplicaStore store, string path)
    {
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using ReadReplica replica = PageDatabase.OpenReplica(store, path, TimeSpan.FromHours(1));
        double wall = clock.Elapsed.TotalMilliseconds;
        return (wall, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds, replica.Resume);
    }
}
