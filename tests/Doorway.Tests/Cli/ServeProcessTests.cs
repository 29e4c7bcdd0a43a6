using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>The real <c>doorway serve</c> process, as a user runs it.</summary>
public sealed class ServeProcessTests
{
    [Fact]
    public async Task Serve_prints_its_ready_line_serves_the_books_client_and_exits_0_on_sigterm()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off", "--bind", "127.0.0.1");
        int port = await server.WaitForReadyAsync("tcp");

        var (code, stdout, stderr) = await RunningProcess.RunAsync("python3",
            [Repo.Client("tcp_book_client.py"), "127.0.0.1", port.ToString(), "knock knock"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("KNOCK KNOCK\n", stdout);

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
        // The book's server prints each client's address; ours logs it (to stderr).
        Assert.Contains("Accept new connection from 127.0.0.1:", server.Stderr);
    }

    [Fact]
    public async Task Serve_on_all_interfaces_answers_ipv4_and_ipv6()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off");
        string ready = await server.WaitForLineAsync("ready tcp ");
        Assert.StartsWith("ready tcp [::]:", ready);
        int port = int.Parse(ready[(ready.LastIndexOf(':') + 1)..]);
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            using var client = await Sockets.ConnectAsync(new IPEndPoint(address, port));
            Assert.Equal("DUAL", await Sockets.ExchangeAsync(client, "dual", "DUAL"));
        }
    }

    [Fact]
    public async Task A_second_server_on_the_same_port_fails_with_one_clear_line_and_exit_1()
    {
        await using var first = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off", "--bind", "127.0.0.1");
        int port = await first.WaitForReadyAsync("tcp");

        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
            ["serve", "--tcp", port.ToString(), "--udp", "off", "--files", "off", "--bind", "127.0.0.1"]);
        Assert.Equal(1, code);
        Assert.Equal($"doorway: cannot open the tcp door on 127.0.0.1:{port}: address already in use\n", stderr);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Sigterm_answers_an_open_connection_then_half_closes_it_and_exits_0()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off",
            "--bind", "127.0.0.1", "--drain-timeout", "20");
        int port = await server.WaitForReadyAsync("tcp");
        using var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        Assert.Equal("BEFORE", await Sockets.ExchangeAsync(client, "before", "BEFORE"));

        await client.SendAsync("sent before sigterm"u8.ToArray());
        server.Signal(15);
        // The capitalize door's contract on a stop: what was received is answered, then end of stream,
        // without waiting out the 20 s drain timeout.
        Assert.Equal("SENT BEFORE SIGTERM", System.Text.Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
        Assert.False(CanConnect(port));
        Assert.Equal(0, await server.WaitForExitAsync().WithDeadline(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task The_limits_issue_8_added_are_taken_by_serve()
    {
        string root = Path.Combine(Path.GetTempPath(), "doorway-limits-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "a.txt"), "limits\n");
        try
        {
            await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--files", "0", "--udp", "0", "--bind", "127.0.0.1",
                "--root", root, "--max-connections-per-ip", "3", "--min-data-rate", "0", "--udp-reply-budget", "0", "--udp-reply-burst", "70000",
                "--digest-rate", "8", "--listing-cache", "2", "--udp-batch", "8");
            await server.WaitForReadyAsync("tcp");
            int files = await server.WaitForReadyAsync("files");
            int udp = await server.WaitForReadyAsync("udp");
            Assert.Equal("BATCHED"u8.ToArray(), await Doorway.Tests.Udp.UdpTestDoors.ExchangeAsync(new IPEndPoint(IPAddress.Loopback, udp), "batched"u8.ToArray()));
            var (code, stdout, stderr) = await RunningProcess.RunAsync("curl", ["--silent", "--show-error", $"http://127.0.0.1:{files}/a.txt"]);
            Assert.True(code == 0, stderr);
            Assert.Equal("limits\n", stdout);
            server.Signal(15);
            Assert.Equal(0, await server.WaitForExitAsync());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Turning_every_door_off_is_a_usage_error()
    {
        var (code, _, stderr) = await RunningProcess.RunDoorwayAsync(["serve", "--tcp", "off", "--udp", "off", "--files", "off"]);
        Assert.Equal(2, code);
        Assert.Contains("every door is off", stderr);
    }

    [Theory]
    [InlineData("--tcp", "70000")]
    [InlineData("--tcp", "twelve")]
    [InlineData("--max-connections", "0")]
    [InlineData("--idle-timeout", "-1")]
    [InlineData("--bind", "not-an-address")]
    [InlineData("--no-such-option", "1")]
    [InlineData("--max-connections-per-ip", "0")]
    [InlineData("--min-data-rate", "-5")]
    [InlineData("--udp-reply-budget", "lots")]
    [InlineData("--udp-reply-burst", "0")]
    [InlineData("--udp-batch", "0")]
    [InlineData("--udp-batch", "1025")]
    [InlineData("--digest-rate", "0")]
    [InlineData("--listing-cache", "0")]
    public async Task Bad_options_are_usage_errors_with_exit_2(string option, string value)
    {
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["serve", option, value]);
        Assert.Equal(2, code);
        Assert.StartsWith("doorway: ", stderr);
        Assert.Empty(stdout);
    }

    private static bool CanConnect(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
