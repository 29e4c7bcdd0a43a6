using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/Doorway.Benchmarks -- --filter '*'` runs everything;
// add `--job short` for a quick look (docs/benchmarks-micro.md shows the exact command).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
