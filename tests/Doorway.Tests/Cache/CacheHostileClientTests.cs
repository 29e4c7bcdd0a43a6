using System.Net;
using System.Text;
using Doorway.Tests.Support;
using static Doorway.Tests.Cache.ScriptedOrigin;

namespace Doorway.Tests.Cache;

/// <summary>Clients that break HTTP's rules against the cache door on 127.0.0.1:0: the fault is theirs, and they are told so.</summary>
public sealed class CacheHostileClientTests
{
    /// <summary>
    /// RFC 9112 §7.1: a request's chunked framing is the client's to get right. A malformed chunk
    /// size is a 400 (413 for one past the body limit), as the file door answers it, not a 502 that
    /// blames an origin which did nothing wrong.
    /// </summary>
    [Theory]
    [InlineData("zz\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("ffffffffffffffffff\r\nabc", 413)]
    public async Task A_malformed_chunked_request_body_gets_the_client_error_not_502(string chunks, int expected)
    {
        await using var origin = new ScriptedOrigin(_ => Respond(200, "", "fine"));
        await using var door = CacheDoors.Open(null, out _);
        using var client = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, door.LocalEndPoint.Port));
        string request = $"POST {origin.Url("/form")} HTTP/1.1\r\nHost: 127.0.0.1:{origin.Port}\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}";
        await client.SendAsync(Encoding.ASCII.GetBytes(request));

        string response = Encoding.ASCII.GetString(await Sockets.ReceiveToEndAsync(client, TimeSpan.FromSeconds(10)));

        Assert.StartsWith($"HTTP/1.1 {expected} ", response, StringComparison.Ordinal);
    }
}
