using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary><c>serve</c> as an operator runs it: the Prometheus endpoint, /healthz, and a drain on SIGTERM.</summary>
public sealed partial class ServeOperationsTests
{
    private static async Task<string> ScrapeAsync(int port)
    {
        var (code, stdout, stderr) = await RunningProcess.RunAsync("curl", ["--silent", "--show-error", "--fail", $"http://127.0.0.1:{port}/metrics"]);
        Assert.True(code == 0, stderr);
        return stdout;
    }

    private static long Accepted(string exposition, string door)
    {
        var match = AcceptedLine().Matches(exposition).FirstOrDefault(m => m.Groups["door"].Value == door);
        return match is null ? 0 : long.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^doorway_accepted_connections_total\{[^}]*doorway_door=""(?<door>[a-z]+)""[^}]*\} (?<value>\d+)", RegexOptions.Multiline)]
    private static partial Regex AcceptedLine();

    [Fact]
    public async Task Metrics_pass_promtool_and_the_accepted_counter_moves_by_exactly_the_connections_made()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off", "--metrics", "0", "--bind", "127.0.0.1");
        int tcp = await server.WaitForReadyAsync("tcp");
        int metrics = await server.WaitForReadyAsync("metrics");

        string before = await ScrapeAsync(metrics);
        const int connections = 5;
        for (int i = 0; i < connections; i++)
        {
            using var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcp));
            Assert.Equal($"KNOCK {i}", await Sockets.ExchangeAsync(client, $"knock {i}", $"KNOCK {i}"));
        }

        string after = await ScrapeAsync(metrics);
        Assert.Equal(connections, Accepted(after, "tcp") - Accepted(before, "tcp"));
        // Prometheus's names: counters end in _total, units are words (seconds, bytes), the histogram has its buckets.
        Assert.Contains("# TYPE doorway_accepted_connections_total counter", after, StringComparison.Ordinal);
        Assert.Contains("# TYPE doorway_connection_duration_seconds histogram", after, StringComparison.Ordinal);
        Assert.Contains("doorway_connection_duration_seconds_bucket{", after, StringComparison.Ordinal);
        Assert.Contains("# TYPE doorway_received_bytes_total counter", after, StringComparison.Ordinal);
        Assert.Contains("# TYPE doorway_active_connections gauge", after, StringComparison.Ordinal);

        var check = await RunningProcess.RunAsync("promtool", ["check", "metrics"], stdin: after);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr + after);

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task Healthz_says_200_while_serving_then_503_with_close_while_draining_and_serve_exits_0_after_the_download_ends()
    {
        string root = Path.Combine(Path.GetTempPath(), "doorway-drain-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var big = new byte[16 * 1024 * 1024];
            new Random(7).NextBytes(big);
            await File.WriteAllBytesAsync(Path.Combine(root, "big.bin"), big);
            await File.WriteAllTextAsync(Path.Combine(root, "a.txt"), "still here\n");
            await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1", "--root", root,
                "--drain-delay", "3", "--drain-timeout", "20");
            int port = await server.WaitForReadyAsync("files");
            string url = $"http://127.0.0.1:{port}";

            var serving = await RunningProcess.RunAsync("curl", ["--silent", "--include", $"{url}/healthz"]);
            Assert.StartsWith("HTTP/1.1 200 OK", serving.Stdout, StringComparison.Ordinal);
            Assert.EndsWith("serving\n", serving.Stdout, StringComparison.Ordinal);
            Assert.Contains("Cache-Control: no-store", serving.Stdout, StringComparison.Ordinal);

            // A download at 4 MiB/s (4 s) runs across the SIGTERM.
            string path = Path.Combine(root, "download.bin");
            var download = RunningProcess.RunAsync("curl", ["--silent", "--show-error", "--limit-rate", "4M", "--output", path, $"{url}/big.bin"]);
            await Deadline.UntilAsync(() => File.Exists(path) && new FileInfo(path).Length > 0, "the download to start");
            server.Signal(15);
            await Deadline.UntilAsync(() => server.Stderr.Contains("draining:", StringComparison.Ordinal), "serve to begin draining");

            // Draining: health says 503 and closes; the door still accepts and answers, each answer closing its connection.
            var draining = await RunningProcess.RunAsync("curl", ["--silent", "--include", $"{url}/healthz"]);
            Assert.StartsWith("HTTP/1.1 503 Service Unavailable", draining.Stdout, StringComparison.Ordinal);
            Assert.Contains("Connection: close", draining.Stdout, StringComparison.Ordinal);
            var file = await RunningProcess.RunAsync("curl", ["--silent", "--include", $"{url}/a.txt"]);
            Assert.StartsWith("HTTP/1.1 200 OK", file.Stdout, StringComparison.Ordinal);
            Assert.Contains("Connection: close", file.Stdout, StringComparison.Ordinal);
            Assert.EndsWith("still here\n", file.Stdout, StringComparison.Ordinal);

            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            var (code, _, stderr) = await download.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(code == 0, stderr);
            Assert.Equal(SHA256.HashData(big), SHA256.HashData(await File.ReadAllBytesAsync(path)));
            Assert.DoesNotContain("closed 1 connections still open after the drain timeout", server.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Proxy_protocol_is_on_every_tcp_door_of_serve_and_the_named_client_is_the_one_logged()
    {
        string root = Path.Combine(Path.GetTempPath(), "doorway-pp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root, "a.txt"), "through\n");
            await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "0", "--reply", "0", "--bind", "127.0.0.1",
                "--root", root, "--proxy-protocol", "127.0.0.0/8");
            int tcp = await server.WaitForReadyAsync("tcp");
            int files = await server.WaitForReadyAsync("files");
            int reply = await server.WaitForReadyAsync("reply");

            using (var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcp)))
            {
                await client.SendAsync(System.Text.Encoding.ASCII.GetBytes($"PROXY TCP4 192.0.2.7 127.0.0.1 4007 {tcp}\r\n"));
                Assert.Equal("HELLO", await Sockets.ExchangeAsync(client, "hello", "HELLO"));
            }

            // curl's own v1 header (it names the address curl connects from).
            var get = await RunningProcess.RunAsync("curl", ["--silent", "--show-error", "--haproxy-protocol", "--interface", "127.0.0.6", $"http://127.0.0.1:{files}/a.txt"]);
            Assert.True(get.ExitCode == 0, get.Stderr);
            Assert.Equal("through\n", get.Stdout);

            using (var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, reply)))
            {
                await client.SendAsync(System.Text.Encoding.ASCII.GetBytes($"PROXY TCP4 192.0.2.9 127.0.0.1 4009 {reply}\r\nare u ok?\n"));
                Assert.Equal("thanks", System.Text.Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)).Trim());
            }

            server.Signal(15);
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Contains("Accept new connection from 192.0.2.7:4007", server.Stderr, StringComparison.Ordinal);
            Assert.Matches(@"127\.0\.0\.6:\d+ ""GET /a\.txt"" 200", server.Stderr);
            Assert.Contains("('192.0.2.9', 4009)", server.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_proxy_header_comes_before_the_tls_handshake_and_names_the_client_of_an_https_request()
    {
        string root = Path.Combine(Path.GetTempPath(), "doorway-pptls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root, "a.txt"), "through tls\n");
            await using var server = RunningProcess.Start("dotnet",
                [Repo.DoorwayDll, "serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1", "--root", root,
                 "--proxy-protocol", "127.0.0.0/8", "--tls-self-signed"],
                environment: new Dictionary<string, string> { ["XDG_DATA_HOME"] = Path.Combine(root, ".data") });
            int files = await server.WaitForReadyAsync("files");

            // curl writes its v1 header, then the ClientHello: PROXY → TLS → HTTP, in the chain's order.
            var get = await RunningProcess.RunAsync("curl", ["--silent", "--show-error", "--insecure", "--haproxy-protocol", "--interface", "127.0.0.6",
                $"https://127.0.0.1:{files}/a.txt"]);
            Assert.True(get.ExitCode == 0, get.Stderr);
            Assert.Equal("through tls\n", get.Stdout);

            // Without the header a trusted peer is closed, TLS or not.
            var bare = await RunningProcess.RunAsync("curl", ["--silent", "--insecure", "--max-time", "10", $"https://127.0.0.1:{files}/a.txt"]);
            Assert.NotEqual(0, bare.ExitCode);

            server.Signal(15);
            Assert.Equal(0, await server.WaitForExitAsync());
            Assert.Matches(@"127\.0\.0\.6:\d+ ""GET /a\.txt"" 200", server.Stderr);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("--proxy-protocol", "10.0.0.0/33", "--proxy-protocol: '10.0.0.0/33' is not a network")]
    [InlineData("--proxy-protocol", "10.0.0.1/8", "has bits set past its prefix length")]
    [InlineData("--metrics", "70000", "--metrics takes a port from 0 to 65535 or 'off'")]
    [InlineData("--drain-delay", "-1", "--drain-delay takes a number of seconds")]
    [InlineData("--proxy-protocol-max-header", "100", "--proxy-protocol-max-header takes a whole number of at least 107")]
    public async Task A_bad_operations_flag_is_a_usage_error_that_names_it(string flag, string value, string message)
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(["serve", "--tcp", "off", "--udp", "off", "--files", "0", flag, value]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }
}
