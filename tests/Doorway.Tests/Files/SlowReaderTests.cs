using System.Security.Cryptography;
using Doorway.Tests.Support;

namespace Doorway.Tests.Files;

/// <summary>
/// Bytes moving is activity: a slow, steady download is never taken for an idle connection, and
/// a reader slower than the minimum data rate is closed with the reason in the log (issue 8).
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class SlowReaderTests : IDisposable
{
    private readonly TempTree _tree = new();

    private async Task<(RunningProcess Server, int Port)> ServeAsync(params string[] extra)
    {
        var server = RunningProcess.StartDoorway(["serve", "--files", "0", "--tcp", "off", "--udp", "off", "--bind", "127.0.0.1", "--root", _tree.Root, .. extra]);
        return (server, await server.WaitForReadyAsync("files"));
    }

    private string Big(int mib)
    {
        string path = _tree.PathOf("big.bin");
        byte[] data = new byte[mib * 1024 * 1024];
        new Random(8).NextBytes(data);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public async Task A_40_MiB_download_read_at_2_MiB_per_second_completes_with_an_idle_timeout_of_3_seconds()
    {
        string source = Big(40);
        var (server, port) = await ServeAsync("--idle-timeout", "3");
        await using var _ = server;
        string output = Path.Combine(_tree.Base, "slow.out");
        var (code, _, stderr) = await RunningProcess.RunAsync("curl", ["--silent", "--show-error", "--limit-rate", "2M", "--max-time", "60",
            "-o", output, $"http://127.0.0.1:{port}/big.bin"], limit: TimeSpan.FromSeconds(90));
        Assert.True(code == 0, $"curl exited {code}: {stderr}\nserver: {server.Stderr}");
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(source)), SHA256.HashData(File.ReadAllBytes(output)));
    }

    [Fact]
    public async Task A_reader_slower_than_the_minimum_rate_is_closed_and_the_log_says_why()
    {
        Big(40);
        var (server, port) = await ServeAsync("--min-data-rate", "1000000");
        await using var _ = server;
        await using var curl = RunningProcess.Start("curl", ["--silent", "--limit-rate", "100K", "--max-time", "60",
            "-o", "/dev/null", $"http://127.0.0.1:{port}/big.bin"]);
        // Judged by the server: the kernel's buffers still hold megabytes the client reads long after the close.
        // A 1 MiB round at 1,000,000 B/s after the 5 s grace: closed about 6 s in, well within 30.
        await Deadline.UntilAsync(() => server.Stderr.Contains("read more slowly than 1000000 B/s", StringComparison.Ordinal),
            "the server to close the slow reader and say why", TimeSpan.FromSeconds(30));
        await Deadline.UntilAsync(() => server.Stderr.Contains(" closed (MinDataRate)", StringComparison.Ordinal), "the close to be logged");
    }

    public void Dispose() => _tree.Dispose();
}
