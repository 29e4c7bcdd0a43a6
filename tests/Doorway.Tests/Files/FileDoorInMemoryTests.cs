using System.Text;
using Doorway.Files;
using Doorway.Tests.Http;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>The whole file door (sniffer, HTTP session, file responder, raw dialect) over in-memory connections: no sockets.</summary>
public sealed class FileDoorInMemoryTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private FileConnectionHandler Door() => new(new FileRoot(_tree.Root), FileDoorOptions.Default, NullLogger.Instance);

    [Fact]
    public async Task HTTP_requests_are_answered_by_the_file_responder_in_order()
    {
        using var connection = new InMemoryConnection();
        var serving = Door().OnConnectedAsync(connection, CancellationToken.None);
        await connection.Peer.SendAsync(Encoding.ASCII.GetBytes(
            "GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\nHEAD /sub/inner.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /missing HTTP/1.1\r\nHost: t\r\n\r\n"
            + "DELETE /a.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /sub HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
        var reader = new PeerReader(connection.Peer);
        var file = await reader.ReadResponseAsync(cancellationToken: Deadline.Token()).WithDeadline();
        Assert.Equal("hello\n", file.Text);
        Assert.Equal("bytes", file.Headers["Accept-Ranges"]);
        Assert.StartsWith("sha-256=:", file.Headers["Repr-Digest"], StringComparison.Ordinal);
        var head = await reader.ReadResponseAsync(head: true, Deadline.Token()).WithDeadline();
        Assert.Equal("6", head.Headers["Content-Length"]);
        Assert.Equal(404, (await reader.ReadResponseAsync(cancellationToken: Deadline.Token()).WithDeadline()).Status);
        var other = await reader.ReadResponseAsync(cancellationToken: Deadline.Token()).WithDeadline();
        Assert.Equal(405, other.Status);
        Assert.Equal("GET, HEAD, OPTIONS", other.Headers["Allow"]);
        var redirect = await reader.ReadResponseAsync(cancellationToken: Deadline.Token()).WithDeadline();
        Assert.Equal(301, redirect.Status);
        Assert.Equal("/sub/", redirect.Headers["Location"]);
        Assert.True(redirect.Closes);
        Assert.Empty(await connection.Peer.ReadToEndAsync().WithDeadline());
        connection.Peer.ShutdownSend();
        await serving.WithDeadline();
        Assert.Equal("http", connection.Info.Protocol);
    }

    [Fact]
    public async Task A_name_is_answered_in_the_raw_dialect()
    {
        using var connection = new InMemoryConnection();
        var serving = Door().OnConnectedAsync(connection, CancellationToken.None);
        await connection.Peer.SendAsync("sub/inner.txt\n"u8.ToArray());
        Assert.Equal("inner\n", Encoding.UTF8.GetString(await connection.Peer.ReadToEndAsync().WithDeadline()));
        connection.Peer.ShutdownSend();
        await serving.WithDeadline();
        Assert.Equal("raw", connection.Info.Protocol);
    }
}
