using System.Text;
using Doorway.Reply;
using Doorway.Tests.Support;
using Doorway.Tests.Udp;
using Doorway.Transport;

namespace Doorway.Tests.Reply;

/// <summary>The reply handler without sockets, over an in-memory connection the test plays the client of.</summary>
public sealed class ReplyHandlerInMemoryTests
{
    [Fact]
    public async Task A_line_is_answered_half_closed_and_logged_in_the_seeds_shape()
    {
        var log = new RecordingLogger();
        var handler = new ReplyConnectionHandler(ReplyOptions.Default, log);
        using var connection = new InMemoryConnection();
        var serving = handler.OnConnectedAsync(connection, CancellationToken.None);
        await connection.Peer.SendAsync("are u ok?\r\n"u8.ToArray());
        connection.Peer.ShutdownSend();
        Assert.Equal("thanks", Encoding.UTF8.GetString(await connection.Peer.ReadToEndAsync().WithDeadline()));
        await serving.WithDeadline();
        Assert.Equal("('127.0.0.1', 40000)  >>>>>>>  are u ok?", Assert.Single(log.Messages(600)));
        Assert.Equal("reply", connection.Info.Protocol);
        Assert.Empty(log.Messages(605));
    }

    [Fact]
    public async Task A_client_that_half_closes_at_once_is_answered_and_logged_with_empty_text_as_the_seed_prints_it()
    {
        var log = new RecordingLogger();
        var handler = new ReplyConnectionHandler(ReplyOptions.Default with { Text = "ok" }, log);
        using var connection = new InMemoryConnection();
        var serving = handler.OnConnectedAsync(connection, CancellationToken.None);
        connection.Peer.ShutdownSend();
        Assert.Equal("ok", Encoding.UTF8.GetString(await connection.Peer.ReadToEndAsync().WithDeadline()));
        await serving.WithDeadline();
        Assert.Equal("('127.0.0.1', 40000)  >>>>>>>  ", Assert.Single(log.Messages(600)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(ReplyOptions.MaxReadLimit + 1)]
    public void A_read_limit_outside_1_to_64_KiB_is_refused(int limit) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplyConnectionHandler(ReplyOptions.Default with { ReadLimit = limit }, new RecordingLogger()));
}
