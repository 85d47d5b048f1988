using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/PageDb.Benchmarks -- micro [BenchmarkDotNet arguments]` runs the
// micro-benchmarks (pages, buffer pool, trees, cursors); the comparison workloads join here later.
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
    return 0;
}

Console.Error.WriteLine("usage: PageDb.Benchmarks micro [--filter *Name*] [other BenchmarkDotNet options]");
return 2;
