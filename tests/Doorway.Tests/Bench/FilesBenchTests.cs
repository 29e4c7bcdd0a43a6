using Doorway.Bench;
using Doorway.Tests.Support;

namespace Doorway.Tests.Bench;

public sealed class FilesBenchTests
{
    private static readonly byte[] Small = "the quick brown fox\n"u8.ToArray();
    private static readonly byte[] Large = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();

    [Theory]
    [InlineData("/small.txt", "1")]
    [InlineData("/large.bin", "1")]
    [InlineData("/small.txt", "8")]
    public async Task Bench_files_fetches_over_keep_alive_and_checks_the_length(string path, string pipeline)
    {
        await using var server = new TestHttpServer(new() { ["/small.txt"] = Small, ["/large.bin"] = Large });
        int size = path == "/small.txt" ? Small.Length : Large.Length;
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "files", "--server", $"127.0.0.1:{server.Port}", "--path", path, "--size", $"{size}",
             "--connections", "3", "--pipeline", pipeline, "--duration", "1", "--warmup", "0.2", "--json"]);

        Assert.True(code == 0, stderr);
        var json = BenchJson.Parse(stdout);
        // Counts are not the point here (the test server shares the test host's thread pool): correctness is.
        Assert.True(json.Number("messages") > 0, stdout);
        Assert.Equal(0, json.Number("mismatches"));
        Assert.Equal(0, json.Number("errors"));
        double expectedMib = json.Number("messagesPerSecond") * size / 1048576;
        // Printed to 3 decimals.
        Assert.InRange(json.Number("mibPerSecond"), (expectedMib * 0.99) - 0.001, (expectedMib * 1.01) + 0.001);
    }

    [Fact]
    public async Task A_body_of_another_length_than_expected_is_a_mismatch()
    {
        await using var server = new TestHttpServer(new() { ["/small.txt"] = Small });
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["bench", "files", "--server", $"127.0.0.1:{server.Port}", "--path", "/small.txt", "--size", $"{Small.Length + 1}",
             "--connections", "2", "--duration", "2", "--warmup", "0", "--json"]);

        // 2 s, not 0.5: at the suite's start the test server (in the busy test host) once answered
        // its first replies after a 0.5 s window had ended: 2 mismatches, 0 messages measured.
        Assert.Equal(1, code);
        Assert.Contains("mismatches", stderr, StringComparison.Ordinal);
        var json = BenchJson.Parse(stdout);
        Assert.True(json.Number("messages") > 0, stdout);
        // Mismatches count the whole run, messages only the measured window: every measured reply is
        // wrong, each counted once (not twice), plus the few before and after the window.
        Assert.InRange(json.Number("mismatches"), json.Number("messages"), (json.Number("messages") * 1.5) + 10);
    }

    [Fact]
    public async Task A_missing_file_is_a_mismatch_not_a_fast_answer()
    {
        await using var server = new TestHttpServer([]);
        var result = await LoadGenerator.RunAsync(TcpBenchTests.Options(server.Port) with { Mode = BenchMode.Files, Path = "/nothing" }).WithDeadline();

        Assert.True(result.Messages > 0, $"{result.Messages} messages");
        Assert.InRange(result.Mismatches, result.Messages, (result.Messages * 1.5) + 10);
        Assert.Equal(0, result.Errors);
    }

    [Fact]
    public async Task A_server_that_closes_mid_body_is_an_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[1024];
            await socket.ReceiveAsync(buffer);
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part"u8.ToArray());
        });
        var result = await LoadGenerator.RunAsync(TcpBenchTests.Options(((System.Net.IPEndPoint)listener.LocalEndpoint).Port) with
        {
            Mode = BenchMode.Files,
            Connections = 1,
            // Long enough that a busy test host starts the connection's loop before the run ends; the
            // run stops as soon as its only connection has ended.
            Duration = TimeSpan.FromSeconds(10),
        }).WithDeadline();
        await serve.WithDeadline();

        Assert.Equal(1, result.Errors);
        Assert.Equal("the server closed the connection before the body was complete", result.FirstError);
        Assert.Equal(0, result.Messages);
    }
}
