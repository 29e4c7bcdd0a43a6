using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Doorway.Reply;
using Doorway.Tests.Support;
using Doorway.Transport;

namespace Doorway.Tests.Reply;

/// <summary>The reply door over loopback, with real clients: the seed's exchange, nc, the edge cases of issue 15.</summary>
public sealed class ReplyDoorTests
{
    public static TheoryData<string> Loopbacks => new() { "127.0.0.1", "::1" };

    [Theory]
    [MemberData(nameof(Loopbacks))]
    public async Task The_seeds_exchange_a_book_style_client_sends_are_u_ok_and_reads_thanks_with_one_recv(string address)
    {
        await using var door = ReplyTestDoor.Open(address: IPAddress.Parse(address));
        var (code, stdout, stderr) = await RunningProcess.RunAsync("python3",
            [Repo.Client("reply_book_client.py"), address, door.EndPoint.Port.ToString()]);
        Assert.True(code == 0, stderr);
        Assert.Equal("thanks\n", stdout);
        string said = Assert.Single(await door.WaitForAsync(600));
        Assert.Matches(SeedLine(address, "are u ok?"), said);
    }

    [Fact]
    public async Task Netcat_with_half_close_gets_the_reply_and_its_line_is_logged_without_the_newline()
    {
        await using var door = ReplyTestDoor.Open();
        var (code, stdout, stderr) = await RunningProcess.RunAsync("nc",
            ["-N", "127.0.0.1", door.EndPoint.Port.ToString()], stdin: "are u ok?\n");
        Assert.True(code == 0, stderr);
        // The reply has no newline; the test's reader ends every line it reads with one.
        Assert.Equal("thanks\n", stdout);
        Assert.Matches(SeedLine("127.0.0.1", "are u ok?"), Assert.Single(await door.WaitForAsync(600)));
        Assert.Empty(door.Log.Messages(605));
    }

    [Fact]
    public async Task Netcat_without_a_newline_is_answered_at_its_half_close_not_after_the_pause()
    {
        // A pause far beyond the deadline: only the half-close can end the message in time.
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { Pause = TimeSpan.FromMinutes(2), RequestTimeout = TimeSpan.FromMinutes(2) });
        var (code, stdout, stderr) = await RunningProcess.RunAsync("nc",
            ["-N", "127.0.0.1", door.EndPoint.Port.ToString()], stdin: "no newline", limit: TimeSpan.FromSeconds(20));
        Assert.True(code == 0, stderr);
        // The reply has no newline; the test's reader ends every line it reads with one.
        Assert.Equal("thanks\n", stdout);
        Assert.Matches(SeedLine("127.0.0.1", "no newline"), Assert.Single(await door.WaitForAsync(600)));
    }

    [Fact]
    public async Task A_client_that_sends_nothing_gets_the_reply_at_the_request_timeout()
    {
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { RequestTimeout = TimeSpan.FromSeconds(1) });
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        var clock = Stopwatch.StartNew();
        // The default request timeout (10 s) would miss this deadline.
        byte[] reply = await Sockets.ReceiveToEndAsync(client, TimeSpan.FromSeconds(8));
        Assert.Equal("thanks", Encoding.UTF8.GetString(reply));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"answered after {clock.Elapsed}, before the request timeout");
        string said = Assert.Single(await door.WaitForAsync(602));
        Assert.Equal($"{Client(client)}  >>>>>>>  [nothing received within the request timeout of 00:00:01]", said);
    }

    [Fact]
    public async Task A_message_still_arriving_at_the_request_timeout_is_answered_with_what_arrived()
    {
        // The pause would never end it: the request timeout bounds a client that dribbles.
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { Pause = TimeSpan.FromMinutes(2), RequestTimeout = TimeSpan.FromSeconds(1) });
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        await client.SendAsync("are u"u8.ToArray()).WithDeadline();
        Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client, TimeSpan.FromSeconds(8))));
        Assert.Equal($"{Client(client)}  >>>>>>>  are u  [still arriving at the request timeout of 00:00:01]", Assert.Single(await door.WaitForAsync(603)));
    }

    [Fact]
    public async Task A_pause_ends_a_message_with_no_newline_after_the_pause_not_before()
    {
        var pause = TimeSpan.FromSeconds(1.5);
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { Pause = pause, RequestTimeout = TimeSpan.FromMinutes(2) });
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        await client.SendAsync("are u ok?"u8.ToArray()).WithDeadline();
        var clock = Stopwatch.StartNew();
        byte[] reply = await Sockets.ReceiveExactlyAsync(client, "thanks"u8.Length);
        Assert.True(clock.Elapsed >= pause - TimeSpan.FromMilliseconds(50), $"answered after {clock.Elapsed}, within the pause");
        Assert.Equal("thanks", Encoding.UTF8.GetString(reply));
        Assert.Equal($"{Client(client)}  >>>>>>>  are u ok?", Assert.Single(await door.WaitForAsync(600)));
    }

    [Fact]
    public async Task Pieces_within_the_pause_are_one_message_and_a_newline_ends_it_at_once()
    {
        // A pause longer than the deadline: the reply in time proves the newline ended the message.
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { Pause = TimeSpan.FromMinutes(2), RequestTimeout = TimeSpan.FromMinutes(2) });
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        await client.SendAsync("are u "u8.ToArray()).WithDeadline();
        await Deadline.UntilAsync(() => door.BytesReceived == 6, "the first piece to be read by the door");
        await client.SendAsync("ok?\r\n"u8.ToArray()).WithDeadline();
        Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveExactlyAsync(client, "thanks"u8.Length)));
        Assert.Equal($"{Client(client)}  >>>>>>>  are u ok?", Assert.Single(await door.WaitForAsync(600)));
    }

    [Fact]
    public async Task Bytes_after_the_newline_are_ignored_and_the_log_counts_them()
    {
        await using var door = ReplyTestDoor.Open();
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        await client.SendAsync("are u ok?\nand more\n"u8.ToArray()).WithDeadline();
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
        Assert.Equal($"{Client(client)}  >>>>>>>  are u ok?", Assert.Single(await door.WaitForAsync(600)));
        Assert.Equal($"{Client(client)}  ignored 9 bytes after its message", Assert.Single(await door.WaitForAsync(605)));
    }

    [Fact]
    public async Task The_read_limit_cuts_a_message_and_the_log_says_how_much_was_kept_and_ignored()
    {
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { ReadLimit = 16 });
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        // 41 bytes; the limit cuts the two bytes of "é" (bytes 16 and 17) in two.
        byte[] sent = Encoding.UTF8.GetBytes("fifteen bytes..é and twenty-two more ..\n");
        Assert.Equal(41, sent.Length);
        await client.SendAsync(sent).WithDeadline();
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
        Assert.Equal($"{Client(client)}  >>>>>>>  fifteen bytes..\\xc3  [cut at the read limit of 16 bytes; the rest is ignored]",
            Assert.Single(await door.WaitForAsync(601)));
        Assert.Equal($"{Client(client)}  ignored 25 bytes after its message", Assert.Single(await door.WaitForAsync(605)));
    }

    [Fact]
    public async Task A_client_that_sends_1_MiB_gets_the_reply_while_the_door_reads_only_a_bounded_part()
    {
        await using var door = ReplyTestDoor.Open();
        var (code, stdout, stderr) = await RunningProcess.RunAsync("python3",
            [Repo.Client("reply_flood_client.py"), "127.0.0.1", door.EndPoint.Port.ToString(), (1024 * 1024).ToString()]);
        Assert.True(code == 0, stderr);
        Assert.Equal("thanks\n", stdout);

        string said = Assert.Single(await door.WaitForAsync(601));
        Assert.Matches(SeedLine("127.0.0.1", new string('x', 1024) + "  [cut at the read limit of 1024 bytes; the rest is ignored]"), said);
        // The lingering close read its bound and gave up on the rest: no megabytes read.
        string ignored = Assert.Single(await door.WaitForAsync(606));
        Assert.Matches(@"^\('127\.0\.0\.1', \d+\)  ignored 6\d{4} bytes after its message and was still sending when the door stopped reading \(lingering close reads at most 65536\); the rest was refused$", ignored);
        Assert.InRange(door.BytesReceived, 1024 + LingeringClose.MaxBytes, 1024 + LingeringClose.MaxBytes + 4096);
    }

    [Fact]
    public async Task Two_hundred_concurrent_clients_each_get_exactly_the_reply()
    {
        // Each message ends by the pause: one at a time, as the seed serves, this would take 200 s.
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { Pause = TimeSpan.FromSeconds(1) });
        var clock = Stopwatch.StartNew();
        var clients = Enumerable.Range(0, 200).Select(async i =>
        {
            using var client = await Sockets.ConnectAsync(door.EndPoint);
            await client.SendAsync(Encoding.UTF8.GetBytes($"client {i}")).WithDeadline();
            Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
            return $"{Client(client)}  >>>>>>>  client {i}";
        });
        string[] expected = await Task.WhenAll(clients).WithDeadline();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"200 clients took {clock.Elapsed}");
        await door.WaitForAsync(600, 200);
        Assert.Equal(expected.Order(StringComparer.Ordinal), door.Said.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_reply_text_is_sent_as_utf8_with_nothing_added()
    {
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { Text = "谢谢 ß" });
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        await client.SendAsync("are u ok?\n"u8.ToArray()).WithDeadline();
        Assert.Equal(Encoding.UTF8.GetBytes("谢谢 ß"), await Sockets.ReceiveToEndAsync(client));
    }

    [Fact]
    public async Task Invalid_utf8_and_controls_in_a_message_are_logged_escaped_on_one_line()
    {
        await using var door = ReplyTestDoor.Open();
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        byte[] sent = [.. "ok "u8, 0xFF, 0xC3, (byte)'(', 0x1B, .. "[2J\t\\x00 "u8, .. Encoding.UTF8.GetBytes("\u202Eevil\u0085"), (byte)'\n'];
        await client.SendAsync(sent).WithDeadline();
        Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
        Assert.Equal($"{Client(client)}  >>>>>>>  ok \\xff\\xc3(\\x1b[2J\\t\\\\x00 \\u202eevil\\u0085", Assert.Single(await door.WaitForAsync(600)));
    }

    [Fact]
    public async Task A_stop_answers_a_message_still_arriving_with_what_arrived()
    {
        var door = ReplyTestDoor.Open(ReplyOptions.Default with { Pause = TimeSpan.FromMinutes(2), RequestTimeout = TimeSpan.FromMinutes(2) });
        await using (door)
        {
            using var client = await Sockets.ConnectAsync(door.EndPoint);
            await client.SendAsync("half a mess"u8.ToArray()).WithDeadline();
            await Deadline.UntilAsync(() => door.BytesReceived == 11, "the message to be read by the door");
            var stop = door.Door.StopAsync();
            Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
            client.Dispose();
            await stop.WithDeadline();
        }

        Assert.Single(door.Log.Messages(604), line => line.EndsWith("  >>>>>>>  half a mess  [the door is stopping: answered with what had arrived]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connections_are_registered_as_reply_and_the_door_limits_apply()
    {
        using var house = new House();
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { Pause = TimeSpan.FromMinutes(2), RequestTimeout = TimeSpan.FromMinutes(2) },
            WelcomeDoorOptions.Default with { MaxConnections = 1 }, house: house);
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        await client.SendAsync("are u"u8.ToArray()).WithDeadline();
        await Deadline.UntilAsync(() => door.BytesReceived == 5, "the first bytes to be read");
        var live = Assert.Single(house.Registry.Snapshot());
        Assert.Equal("reply", live.Door);
        Assert.Equal("reply", live.Protocol);

        // The second client is over the door's connection limit: closed at once, with no reply.
        using var refused = await Sockets.ConnectAsync(door.EndPoint);
        Assert.True(await Sockets.IsClosedByServerAsync(refused));

        await client.SendAsync(" ok?\n"u8.ToArray()).WithDeadline();
        Assert.Equal("thanks", Encoding.UTF8.GetString(await Sockets.ReceiveToEndAsync(client)));
    }

    [Fact]
    public async Task The_idle_timeout_still_ends_a_connection_whose_request_timeout_is_longer()
    {
        await using var door = ReplyTestDoor.Open(ReplyOptions.Default with { RequestTimeout = TimeSpan.FromMinutes(2) },
            WelcomeDoorOptions.Default with { IdleTimeout = TimeSpan.FromSeconds(1) });
        using var client = await Sockets.ConnectAsync(door.EndPoint);
        Assert.True(await Sockets.IsClosedByServerAsync(client, TimeSpan.FromSeconds(10)));
        Assert.Empty(door.Said);
    }

    private static string Client(Socket client)
    {
        var local = (IPEndPoint)client.LocalEndPoint!;
        return $"('{local.Address}', {local.Port})";
    }

    /// <summary>The seed's line for a client on <paramref name="address"/> (any port) that said <paramref name="text"/>.</summary>
    private static Regex SeedLine(string address, string text) => new($@"^\('{Regex.Escape(address)}', \d+\)  >>>>>>>  {Regex.Escape(text)}$");
}
