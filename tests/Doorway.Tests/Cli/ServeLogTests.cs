using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Doorway.Tests.Files;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>What <c>serve</c> logs at the default level, as a user reads it on stderr.</summary>
public sealed partial class ServeLogTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private RunningProcess StartFiles(params string[] more) => RunningProcess.StartDoorway(
        ["serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1", "--root", _tree.Root, .. more]);

    [Fact]
    public async Task Each_http_request_gets_one_access_line_with_client_request_status_bytes_and_time()
    {
        await using var server = StartFiles();
        int port = await server.WaitForReadyAsync("files");
        var door = new IPEndPoint(IPAddress.Loopback, port);
        Assert.Equal(200, HttpReply.Parse(await FileClients.RawAsync(door, "GET /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).Status);
        Assert.Equal(404, HttpReply.Parse(await FileClients.RawAsync(door, "GET /missing.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).Status);

        await Deadline.UntilAsync(() => server.Stderr.Contains("/missing.txt", StringComparison.Ordinal), "the 404's access line");
        Assert.Matches(AccessLine("GET /a.txt", "200", "6"), server.Stderr);
        Assert.Matches(AccessLine("GET /missing.txt", "404", @"\d+"), server.Stderr);
        // Connections are not requests: their events wait for --log-level debug.
        Assert.DoesNotContain("Accept new connection", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_raw_request_gets_one_access_line_too()
    {
        await using var server = StartFiles();
        int port = await server.WaitForReadyAsync("files");
        var door = new IPEndPoint(IPAddress.Loopback, port);
        Assert.Equal("hello\n"u8.ToArray(), await FileClients.SeedAsync(door, "a.txt\n"));
        Assert.Empty(await FileClients.SeedAsync(door, "nope.txt\n"));

        await Deadline.UntilAsync(() => server.Stderr.Contains("nope.txt", StringComparison.Ordinal), "the refusal's access line");
        Assert.Matches(@"127\.0\.0\.1:\d+ raw ""a\.txt"" sent 6 bytes in \d+\.\d ms", server.Stderr);
        Assert.Matches(@"127\.0\.0\.1:\d+ raw ""nope\.txt"" closed without bytes \(no such file\) in \d+\.\d ms", server.Stderr);
    }

    [Fact]
    public async Task Each_door_announces_a_url_and_the_file_door_its_root()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "0", "--files", "0", "--bind", "127.0.0.1", "--root", _tree.Root);
        // Ready lines come in serve's order: tcp, files, udp.
        int tcp = await server.WaitForReadyAsync("tcp");
        int files = await server.WaitForReadyAsync("files");
        int udp = await server.WaitForReadyAsync("udp");
        await Deadline.UntilAsync(() => server.Stderr.Contains("udp door open", StringComparison.Ordinal), "the start-up lines");
        Assert.Contains($"files door open: http://127.0.0.1:{files}/ serving {_tree.Root}", server.Stderr, StringComparison.Ordinal);
        Assert.Contains($"tcp door open: 127.0.0.1:{tcp}", server.Stderr, StringComparison.Ordinal);
        Assert.Contains($"udp door open: 127.0.0.1:{udp}", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_all_interfaces_the_url_is_one_a_browser_on_this_machine_opens()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--root", _tree.Root);
        int files = await server.WaitForReadyAsync("files");
        await Deadline.UntilAsync(() => server.Stderr.Contains("files door open", StringComparison.Ordinal), "the start-up line");
        Assert.Contains($"files door open: http://localhost:{files}/ (all interfaces) serving {_tree.Root}", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_adds_the_connection_events()
    {
        await using var server = StartFiles("--log-level", "debug");
        int port = await server.WaitForReadyAsync("files");
        await FileClients.RawAsync(new IPEndPoint(IPAddress.Loopback, port), "GET /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        await Deadline.UntilAsync(() => server.Stderr.Contains("Accept new connection from 127.0.0.1:", StringComparison.Ordinal), "the accept line");
    }

    [Fact]
    public async Task Log_format_json_writes_one_object_per_line_for_machines()
    {
        await using var server = StartFiles("--log-format", "json");
        int port = await server.WaitForReadyAsync("files");
        await FileClients.RawAsync(new IPEndPoint(IPAddress.Loopback, port), "GET /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        await Deadline.UntilAsync(() => server.Stderr.Contains("/a.txt", StringComparison.Ordinal), "the access line");
        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());

        var lines = server.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var access = lines.Select(line => JsonDocument.Parse(line).RootElement).Single(e => e.GetProperty("EventId").GetInt32() == 402);
        Assert.Equal("GET", access.GetProperty("State").GetProperty("Method").GetString());
        Assert.Equal("/a.txt", access.GetProperty("State").GetProperty("Target").GetString());
        Assert.Equal(200, access.GetProperty("State").GetProperty("Status").GetInt32());
    }

    private static Regex AccessLine(string request, string status, string bytes) =>
        new($@"127\.0\.0\.1:\d+ ""{Regex.Escape(request)}"" {status} {bytes} \d+\.\d ms");
}
