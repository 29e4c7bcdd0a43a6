using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Http;
using Doorway.Tests.Files;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Doorway.Tests.Http;

/// <summary>The 503 a refused HTTP client gets instead of a reset, over in-memory connections.</summary>
public sealed class HttpRefusalTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\n\r\n")]
    [InlineData("POST /form HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc")]
    [InlineData("OPTIONS * HTTP/1.1\r\n")]
    public async Task An_HTTP_client_gets_503_with_Retry_After_then_a_lingering_close(string request)
    {
        using var connection = new InMemoryConnection();
        var answer = HttpRefusal.AnswerAsync(connection, Deadline.Token());
        // In two pieces: the method alone does not tell yet.
        await connection.Peer.SendAsync(Encoding.ASCII.GetBytes(request[..3]));
        await connection.Peer.SendAsync(Encoding.ASCII.GetBytes(request[3..]));
        var response = await new PeerReader(connection.Peer).ReadResponseAsync().WithDeadline();
        Assert.Equal(503, response.Status);
        Assert.Equal("HTTP/1.1 503 Service Unavailable", response.StatusLine);
        Assert.Equal("1", response.Headers["Retry-After"]);
        Assert.True(response.Closes);
        Assert.StartsWith("503 Service Unavailable", response.Text, StringComparison.Ordinal);
        Assert.True(response.Headers.ContainsKey("Date"));
        // Half-closed, and still reading (lingering) until the client closes too.
        Assert.Empty(await connection.Peer.ReadToEndAsync().WithDeadline());
        Assert.False(answer.IsCompleted);
        connection.Peer.ShutdownSend();
        await answer.WithDeadline();
        Assert.False(connection.Aborted);
    }

    [Theory]
    [InlineData("hello.txt\n")]
    [InlineData("\x16\x03\x01\x02\x00")]
    [InlineData("GETTING-STARTED.md")]
    public async Task A_client_that_is_not_HTTP_gets_nothing(string first)
    {
        using var connection = new InMemoryConnection();
        await connection.Peer.SendAsync(Encoding.ASCII.GetBytes(first));
        await HttpRefusal.AnswerAsync(connection, Deadline.Token()).WithDeadline();
        Assert.False(connection.SendShutDown);
        connection.ShutdownSend();
        Assert.Empty(await connection.Peer.ReadToEndAsync().WithDeadline());
    }

    [Fact]
    public async Task A_client_that_says_nothing_is_let_go_at_the_timeout()
    {
        using var connection = new InMemoryConnection();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await HttpRefusal.AnswerAsync(connection, timeout.Token).WithDeadline();
        Assert.False(connection.SendShutDown);

        using var closed = new InMemoryConnection();
        closed.Peer.ShutdownSend();
        await HttpRefusal.AnswerAsync(closed, Deadline.Token()).WithDeadline();
        Assert.False(closed.SendShutDown);
    }

    [Fact]
    public async Task It_is_a_connection_delegate_and_a_welcome_door_refusal_could_use_it()
    {
        ConnectionDelegate refusal = HttpRefusal.AnswerAsync;
        using var connection = new InMemoryConnection();
        await connection.Peer.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        connection.Peer.ShutdownSend();
        await refusal(connection, Deadline.Token()).WithDeadline();
        Assert.Contains("503", Encoding.ASCII.GetString(await connection.Peer.ReadToEndAsync().WithDeadline()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_welcome_door_past_its_limit_answers_HTTP_clients_with_it()
    {
        var handler = new Http1ConnectionHandler(TestResponder.Hello, HttpLimits.Default, NullLogger.Instance);
        var options = WelcomeDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), MaxConnections = 1 };
        await using var door = WelcomeDoor.Bind("http", options, pipeline: null, handler.OnConnectedAsync, NullLogger.Instance, refuse: HttpRefusal.AnswerAsync);
        door.Start();
        using var admitted = await FileClients.ConnectAsync(door.LocalEndPoint);
        await admitted.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray()).WithDeadline();
        Assert.Equal(200, (await FileClients.ReadResponseAsync(admitted, new MemoryStream())).Status);

        // The only slot is taken: the next HTTP client hears why, the next raw one is just closed.
        using var refused = await FileClients.ConnectAsync(door.LocalEndPoint);
        await refused.SendAsync("GET / HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray()).WithDeadline();
        var reply = HttpReply.Parse(Encoding.ASCII.GetString(await FileClients.ReadToEndAsync(refused)));
        Assert.Equal(503, reply.Status);
        Assert.Equal("1", reply.Headers["Retry-After"]);

        using var raw = await FileClients.ConnectAsync(door.LocalEndPoint);
        await raw.SendAsync("a.txt\n"u8.ToArray()).WithDeadline();
        Assert.Empty(await FileClients.ReadToEndAsync(raw));
    }
}
