using System.Globalization;
using System.Net;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>The file door's flags on the real <c>doorway serve</c>, and its shutdown.</summary>
public sealed class ServeFilesTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);

    [Fact]
    public async Task The_limit_flags_reach_the_door()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1",
            "--root", _tree.Root, "--hidden", "--max-request-line", "100", "--max-header-bytes", "200", "--request-timeout", "0.3");
        var door = Loopback(await server.WaitForReadyAsync("files"));

        Assert.Equal(TempTree.Secret, HttpReply.Parse(await FileClients.RawAsync(door, "GET /.hidden HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")).Text);
        Assert.Equal(414, HttpReply.Parse(await FileClients.RawAsync(door, $"GET /{new string('a', 120)} HTTP/1.1\r\nHost: t\r\n\r\n")).Status);
        Assert.Equal(431, HttpReply.Parse(await FileClients.RawAsync(door, $"GET / HTTP/1.1\r\nHost: t\r\nX: {new string('a', 250)}\r\n\r\n")).Status);
        Assert.Equal(408, HttpReply.Parse(await FileClients.RawAsync(door, "GET / HTTP/1.1\r\n")).Status);
    }

    [Fact]
    public async Task The_access_log_says_why_a_raw_name_got_no_bytes()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1",
            "--root", _tree.Root);
        var door = Loopback(await server.WaitForReadyAsync("files"));
        Assert.Empty(await FileClients.SeedAsync(door, "missing.txt"));
        Assert.Empty(await FileClients.SeedAsync(door, "link-out"));
        Assert.Empty(await FileClients.SeedAsync(door, "../secret.txt"));
        Assert.Empty(await FileClients.SeedAsync(door, "sub"));
        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains("raw \"missing.txt\" closed without bytes (no such file)", server.Stderr, StringComparison.Ordinal);
        Assert.Contains("raw \"link-out\" closed without bytes (symlink leads outside the root)", server.Stderr, StringComparison.Ordinal);
        Assert.Contains("raw \"../secret.txt\" closed without bytes (dot segment", server.Stderr, StringComparison.Ordinal);
        Assert.Contains("raw \"sub\" closed without bytes (a directory)", server.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_off_opens_no_files_door()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off", "--bind", "127.0.0.1");
        await server.WaitForReadyAsync("tcp");
        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.DoesNotContain("ready files", server.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_in_progress_finishes_when_the_server_is_told_to_stop()
    {
        string sha = _tree.MakeFile("slow.bin", 40_000_000);
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1",
            "--root", _tree.Root, "--drain-timeout", "20");
        int port = await server.WaitForReadyAsync("files");
        string output = Path.Combine(_tree.Base, "slow.out");
        // About 2.5 s at this rate, over two sendfile rounds: mid-file when SIGTERM arrives.
        await using var curl = RunningProcess.Start("curl", ["--silent", "--show-error", "--limit-rate", "15M", "-o", output,
            $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/slow.bin"]);
        await Deadline.UntilAsync(() => File.Exists(output) && new FileInfo(output).Length > 0, "the download to start");
        server.Signal(15);
        Assert.Equal(0, await curl.WaitForExitAsync());
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(output)));
    }
}
