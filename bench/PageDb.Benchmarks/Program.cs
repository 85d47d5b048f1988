using BenchmarkDotNet.Running;
using PageDb.Benchmarks.Workloads;

// `dotnet run -c Release --project bench/PageDb.Benchmarks -- micro [BenchmarkDotNet arguments]` runs the
// micro-benchmarks (pages, buffer pool, trees, cursors); anything else runs the comparison workloads against
// SQLite and LiteDB (`--workloads all`, `--quick`, `--help` for the options). `-- replication` runs W7's commits with
// replication off, to a folder store and (with --s3-endpoint) to an S3-compatible server: commits/s and replica lag.
// `-- replica-open [--rows N]` times a read replica's open from scratch (a restore) against its resume from its file.
if (args.Length > 0 && args[0] == "replication")
    return PageDb.Benchmarks.Replication.ReplicationBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "replica-open")
    return PageDb.Benchmarks.Replication.ReplicaOpenBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
    return 0;
}

return WorkloadCommand.Run(args);
