using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Doorway.Capitalize;
using Doorway.Tests.Support;
using Doorway.Transport;

namespace Doorway.Tests.Capitalize;

public sealed class TcpDoorTests
{
    private static readonly CapitalizeConnectionHandler Streaming = new(CapitalizeOptions.Default);

    public static TheoryData<string, TcpTransport> Loopbacks()
    {
        var cases = new TheoryData<string, TcpTransport>();
        foreach (string address in new[] { "127.0.0.1", "::1" })
        {
            foreach (TcpTransport transport in TestDoors.Transports)
            {
                cases.Add(address, transport);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Loopbacks))]
    public async Task The_books_client_gets_its_reply_without_newline_or_half_close(string address, TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(address: IPAddress.Parse(address), transport: transport);
        var (code, stdout, stderr) = await RunningProcess.RunAsync("python3",
            [Repo.Client("tcp_book_client.py"), address, door.LocalEndPoint.Port.ToString(), "hello straße ﬁ"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("HELLO STRASSE FI\n", stdout);
    }

    [Theory]
    [MemberData(nameof(Loopbacks))]
    public async Task A_line_client_gets_each_line_back_on_one_connection(string address, TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(address: IPAddress.Parse(address), transport: transport);
        var (code, stdout, stderr) = await RunningProcess.RunAsync("python3",
            [Repo.Client("tcp_line_client.py"), address, door.LocalEndPoint.Port.ToString(), "first line", "второй", "三"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("FIRST LINE\nВТОРОЙ\n三\n", stdout);
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Netcat_with_half_close_gets_the_whole_reply(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(transport: transport);
        var (code, stdout, stderr) = await RunningProcess.RunAsync("nc",
            ["-N", "127.0.0.1", door.LocalEndPoint.Port.ToString()], stdin: "first from nc\nsecond: ß\n");
        Assert.True(code == 0, stderr);
        Assert.Equal("FIRST FROM NC\nSECOND: SS\n", stdout);
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Once_mode_answers_one_read_and_closes(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(CapitalizeOptions.Default with { Once = true }, transport: transport);
        using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
        await client.SendAsync("once only"u8.ToArray()).WithDeadline();
        byte[] reply = await Sockets.ReceiveToEndAsync(client);
        Assert.Equal("ONCE ONLY", Encoding.UTF8.GetString(reply));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task Many_concurrent_clients_each_get_their_own_reply(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(transport: transport);
        var clients = Enumerable.Range(0, 200).Select(async i =>
        {
            using var socket = await Sockets.ConnectAsync(door.LocalEndPoint);
            for (int round = 0; round < 5; round++)
            {
                string text = $"client {i} round {round} ß";
                Assert.Equal($"CLIENT {i} ROUND {round} SS", await Sockets.ExchangeAsync(socket, text, $"CLIENT {i} ROUND {round} SS"));
            }
        });
        await Task.WhenAll(clients).WithDeadline();
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task An_idle_client_does_not_block_the_others(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(transport: transport);
        using var idle = await Sockets.ConnectAsync(door.LocalEndPoint);
        await idle.SendAsync("half a charact"u8.ToArray().Concat(new byte[] { 0xC3 }).ToArray()).WithDeadline();

        using var busy = await Sockets.ConnectAsync(door.LocalEndPoint);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("STILL SERVED", await Sockets.ExchangeAsync(busy, "still served", "STILL SERVED"));
        }

        // The idle client's split character is completed and answered later.
        await idle.SendAsync(new byte[] { 0xA9 }).WithDeadline();
        Assert.Equal("HALF A CHARACTÉ", Encoding.UTF8.GetString(await Sockets.ReceiveExactlyAsync(idle, "HALF A CHARACTÉ"u8.Length)));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_large_stream_is_answered_in_order_while_it_is_sent(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(transport: transport);
        using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
        const int total = 64 * 1024 * 1024;
        byte[] pattern = Encoding.UTF8.GetBytes("the quick brown fox jumps over the lazy dog straße ﬁ привет 中文 😀\n");
        byte[] expectedPattern = Encoding.UTF8.GetBytes("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG STRASSE FI ПРИВЕТ 中文 😀\n");
        int repeats = total / pattern.Length;

        // Chunks of an odd size, so characters are cut between sends.
        var send = Task.Run(async () =>
        {
            byte[] all = new byte[pattern.Length * 1000];
            for (int i = 0; i < 1000; i++)
            {
                pattern.CopyTo(all, i * pattern.Length);
            }

            int sent = 0;
            int target = pattern.Length * repeats;
            while (sent < target)
            {
                int offset = sent % all.Length;
                int n = Math.Min(Math.Min(4099, all.Length - offset), target - sent);
                await client.SendAsync(all.AsMemory(offset, n));
                sent += n;
            }

            client.Shutdown(SocketShutdown.Send);
        });

        using var expectedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < repeats; i++)
        {
            expectedHash.AppendData(expectedPattern);
        }

        using var actualHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        byte[] buffer = new byte[256 * 1024];
        int n;
        while ((n = await client.ReceiveAsync(buffer).WithDeadline(TimeSpan.FromSeconds(60))) > 0)
        {
            actualHash.AppendData(buffer, 0, n);
            received += n;
        }

        await send.WithDeadline(TimeSpan.FromSeconds(60));
        Assert.Equal((long)expectedPattern.Length * repeats, received);
        Assert.Equal(expectedHash.GetHashAndReset(), actualHash.GetHashAndReset());
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_client_that_never_reads_cannot_make_the_server_buffer_its_bytes(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(transport: transport);
        using var greedy = await Sockets.ConnectAsync(door.LocalEndPoint);
        greedy.ReceiveBufferSize = 64 * 1024;
        greedy.SendBufferSize = 64 * 1024;

        // Push until the send stalls. If the door kept reading while it cannot write, it would
        // absorb everything; stopping at kernel-buffer size proves it stopped reading.
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        long pushed = 0;
        const long ceiling = 512L * 1024 * 1024;
        while (pushed < ceiling)
        {
            var send = greedy.SendAsync(chunk);
            if (await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(1))) != send)
            {
                break; // stalled: the door applies backpressure
            }

            pushed += await send;
        }

        Assert.True(pushed < 64L * 1024 * 1024, $"the door absorbed {pushed} bytes from a client that never reads");

        // Others are still served while the greedy client is stuck.
        using var other = await Sockets.ConnectAsync(door.LocalEndPoint);
        Assert.Equal("FINE", await Sockets.ExchangeAsync(other, "fine", "FINE"));
    }

    [Theory]
    [MemberData(nameof(TestDoors.Transports), MemberType = typeof(TestDoors))]
    public async Task A_client_that_half_closes_gets_the_rest_and_then_end_of_stream(TcpTransport transport)
    {
        await using var door = TestDoors.OpenCapitalize(transport: transport);
        using var client = await Sockets.ConnectAsync(door.LocalEndPoint);
        // Ends with a lone lead byte: flushed unchanged when the client half-closes.
        await client.SendAsync(new byte[] { (byte)'o', (byte)'k', 0xE2 }).WithDeadline();
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(new byte[] { (byte)'O', (byte)'K', 0xE2 }, await Sockets.ReceiveToEndAsync(client));
    }
}
