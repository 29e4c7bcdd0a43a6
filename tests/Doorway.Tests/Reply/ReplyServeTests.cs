using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Tests.Support;

namespace Doorway.Tests.Reply;

/// <summary>The reply door in the real <c>doorway serve</c> process: its flags, its ready line, its log on stderr.</summary>
public sealed class ReplyServeTests
{
    private static readonly string[] OnlyReply = ["serve", "--tcp", "off", "--udp", "off", "--files", "off", "--bind", "127.0.0.1", "--reply", "0"];

    [Fact]
    public async Task Serve_reply_prints_its_ready_line_and_the_seeds_client_gets_thanks_logged_in_the_seeds_shape()
    {
        await using var server = RunningProcess.StartDoorway(OnlyReply);
        int port = await server.WaitForReadyAsync("reply");

        var (code, stdout, stderr) = await RunningProcess.RunAsync("python3", [Repo.Client("reply_book_client.py"), "127.0.0.1", port.ToString()]);
        Assert.True(code == 0, stderr);
        Assert.Equal("thanks\n", stdout);

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
        // The only door asked for, and the only ready line.
        Assert.Equal($"ready reply 127.0.0.1:{port}\n", server.Stdout);
        Assert.Matches(@"(?m)^\d\d:\d\d:\d\d\.\d{3} info: Doorway\.Reply\[600\] \('127\.0\.0\.1', \d+\)  >>>>>>>  are u ok\?$", server.Stderr);
    }

    [Fact]
    public async Task Invalid_utf8_from_a_client_is_logged_escaped_on_one_line_of_the_servers_stderr()
    {
        await using var server = RunningProcess.StartDoorway(OnlyReply);
        int port = await server.WaitForReadyAsync("reply");
        using (var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            byte[] sent = [.. "are u "u8, 0xFF, 0xFE, (byte)' ', 0xE4, 0xBD, (byte)' ', 0x1B, .. "[31mred\r\\ "u8, .. Encoding.UTF8.GetBytes("你好"), (byte)'\n'];
            await client.SendAsync(sent).WithDeadline();
            Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
        }

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
        string line = Assert.Single(server.Stderr.Split('\n'), l => l.Contains(">>>>>>>", StringComparison.Ordinal));
        Assert.EndsWith(@"  >>>>>>>  are u \xff\xfe \xe4\xbd \x1b[31mred\r\\ 你好", line);
        Assert.DoesNotContain('\uFFFD', server.Stderr);
    }

    [Fact]
    public async Task The_reply_flags_set_the_text_the_read_limit_the_pause_and_the_request_timeout()
    {
        await using var server = RunningProcess.StartDoorway([.. OnlyReply,
            "--reply-text", "谢谢", "--reply-read-limit", "4", "--reply-pause", "120", "--reply-request-timeout", "1"]);
        int port = await server.WaitForReadyAsync("reply");
        var door = new IPEndPoint(IPAddress.Loopback, port);

        // --reply-read-limit 4 and --reply-text: the message ends at its fourth byte, with no newline or pause.
        using (var limited = await Sockets.ConnectAsync(door))
        {
            await limited.SendAsync("are u ok?"u8.ToArray()).WithDeadline();
            Assert.Equal("谢谢", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(limited, TimeSpan.FromSeconds(8))));
        }

        // --reply-request-timeout 1: a client that sends nothing is answered in 1 s (the default, 10 s, would miss the deadline).
        using (var quiet = await Sockets.ConnectAsync(door))
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal("谢谢", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(quiet, TimeSpan.FromSeconds(8))));
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"answered after {clock.Elapsed}");
        }

        // --reply-pause 120: "ab" is not ended by the default pause (0.25 s) but by the request timeout.
        using (var slow = await Sockets.ConnectAsync(door))
        {
            await slow.SendAsync("ab"u8.ToArray()).WithDeadline();
            Assert.Equal("谢谢", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(slow, TimeSpan.FromSeconds(8))));
        }

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
        string log = server.Stderr;
        Assert.Contains("  >>>>>>>  are   [cut at the read limit of 4 bytes; the rest is ignored]", log);
        Assert.Contains("  >>>>>>>  [nothing received within the request timeout of 00:00:01]", log);
        Assert.Contains("  >>>>>>>  ab  [still arriving at the request timeout of 00:00:01]", log);
    }

    [Fact]
    public async Task The_reply_door_is_off_by_default()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "0", "--udp", "off", "--files", "off", "--bind", "127.0.0.1");
        await server.WaitForReadyAsync("tcp");
        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Matches(@"^ready tcp 127\.0\.0\.1:\d+\n$", server.Stdout);
        Assert.DoesNotContain("Doorway.Reply", server.Stderr);
    }

    [Theory]
    [InlineData("--reply", "70000")]
    [InlineData("--reply", "on")]
    [InlineData("--reply-read-limit", "0")]
    [InlineData("--reply-read-limit", "65537")]
    [InlineData("--reply-pause", "0")]
    [InlineData("--reply-request-timeout", "-1")]
    public async Task Bad_reply_flags_are_usage_errors_with_exit_2(string option, string value)
    {
        string[] args = option == "--reply" ? ["serve", "--tcp", "off", "--udp", "off", "--files", "off", option, value] : [.. OnlyReply, option, value];
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(args);
        Assert.Equal(2, code);
        Assert.Equal($"doorway: {option} takes ", stderr[..$"doorway: {option} takes ".Length]);
        Assert.Equal(2, stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Help_lists_every_reply_flag_with_its_default()
    {
        var (code, stdout, _) = await RunningProcess.RunDoorwayAsync(["serve", "--help"]);
        Assert.Equal(0, code);
        Assert.Matches(@"--reply <PORT\|off>.*\[default: off\]", stdout);
        Assert.Matches(@"--reply-text <TEXT>.*\[default: thanks\]", stdout);
        Assert.Matches(@"--reply-read-limit <N>.*\[default: 1024\]", stdout);
        Assert.Matches(@"--reply-pause <SECONDS>.*\[default: 0\.25\]", stdout);
        Assert.Matches(@"--reply-request-timeout <SECONDS>.*\[default: 10\]", stdout);
    }
}
