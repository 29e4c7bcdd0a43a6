using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Files;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>
/// Every failure is one line on stderr that names the real cause and whose side it is on (this
/// machine's file or limit, the network, the server), never a stack trace.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ErrorLineTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Get_into_a_directory_the_user_cannot_write_is_one_line_naming_the_local_file()
    {
        await using var door = FileClients.Open(_tree.Root);
        // Readable and enterable by everyone, writable by its owner (root, or this user with the bit cleared) only.
        string locked = Path.Combine(_tree.Base, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(_tree.Base, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(locked, (UnixFileMode)0b101_101_101);
        var (file, args) = Users.AsNonRoot("dotnet", Repo.DoorwayDll, "get", "a.txt", "--server", $"127.0.0.1:{door.LocalEndPoint.Port}", "-o", locked);
        var (code, stdout, stderr) = await RunningProcess.RunAsync(file, args, workingDirectory: locked);

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        OneLine(stderr);
        Assert.StartsWith($"doorway: cannot write {Path.Combine(locked, "a.txt")}", stderr, StringComparison.Ordinal);
        Assert.Contains("permission denied", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(locked));
    }

    [Fact]
    public async Task Get_into_a_missing_directory_blames_the_directory_not_the_server()
    {
        await using var door = FileClients.Open(_tree.Root);
        string missing = Path.Combine(_tree.Base, "no", "such");
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(
            ["get", "a.txt", "--server", $"127.0.0.1:{door.LocalEndPoint.Port}", "-o", Path.Combine(missing, "a.txt")]);
        Assert.Equal(1, code);
        OneLine(stderr);
        Assert.Equal($"doorway: cannot save to {Path.Combine(missing, "a.txt")}: no directory {missing} on this machine\n", stderr);
    }

    [Fact]
    public async Task A_bad_log_level_is_one_usage_line_listing_the_levels()
    {
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["serve", "--log-level", "bogus"]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal(
            "doorway: --log-level takes trace, debug, information, warning, error, critical or none, not 'bogus'.\n" +
            "Try 'doorway serve --help'.\n", stderr);
    }

    [Theory]
    [InlineData("capitalize", "::1:12000")]
    [InlineData("ping", "::1:12000")]
    [InlineData("get", "fe80::1:8080")]
    public async Task An_ipv6_address_with_a_port_and_no_brackets_is_a_usage_error_that_shows_the_brackets(string command, string server)
    {
        string[] rest = command == "get" ? ["a.txt"] : [];
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync([command, "--server", server, .. rest]);
        Assert.Equal(2, code);
        int colon = server.LastIndexOf(':');
        Assert.Contains($"[{server[..colon]}]{server[colon..]}", stderr, StringComparison.Ordinal);
        Assert.EndsWith($"Try 'doorway {command} --help'.\n", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bare_ipv6_address_takes_the_default_port()
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(["capitalize", "--server", "::1", "--timeout", "5", "x"]);
        // Nothing listens on [::1]:12000 in the tests (the doors use port 0): refused, and said so with brackets.
        Assert.Equal(1, code);
        Assert.Equal("doorway: [::1]:12000: connection refused\n", stderr);
    }

    [Fact]
    public async Task Bench_beyond_the_clients_descriptor_limit_says_it_is_the_clients_ulimit()
    {
        await using var door = TestDoors.OpenCapitalize();
        // The shell's limit holds for the bench only; the door in this process keeps its own.
        var (code, stdout, stderr) = await RunningProcess.RunAsync("sh",
            ["-c", $"ulimit -n 200 && exec dotnet '{Repo.DoorwayDll}' bench tcp --server {door.LocalEndPoint} --connections 1000 --duration 1 --warmup 0"]);
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        OneLine(stderr);
        Assert.Contains("ulimit -n", stderr, StringComparison.Ordinal);
        Assert.Contains("200", stderr, StringComparison.Ordinal);
        Assert.Contains("this machine", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("TooManyOpenSockets", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("get")]
    [InlineData("bench", "tcp")]
    [InlineData("ping")]
    public async Task A_usage_error_points_at_the_subcommands_own_help(params string[] command)
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync([.. command, "--no-such-option"]);
        Assert.Equal(2, code);
        Assert.EndsWith($"Try 'doorway {string.Join(' ', command)} --help'.\n", stderr, StringComparison.Ordinal);
    }

    private static void OneLine(string stderr)
    {
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
