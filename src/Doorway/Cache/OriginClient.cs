using System.Net;
using System.Net.Sockets;

namespace Doorway.Cache;

/// <summary>
/// The cache's HTTP/1.1 client toward origins: .NET's SocketsHttpHandler with the cache's limits.
/// Connections are kept alive and reused, at most <see cref="CacheOptions.MaxConnectionsPerOrigin"/>
/// per origin (requests beyond wait for one); a connect is bounded by the connect timeout, a
/// response head by its size (an endless head is an error) and the response timeout. Nothing of
/// its own is added: no redirects followed, no cookies, no decompression, no proxy, no Expect.
/// </summary>
internal sealed class OriginClient : IDisposable
{
    private readonly HttpMessageInvoker _invoker;

    public OriginClient(CacheOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = options.MaxConnectionsPerOrigin,
            ConnectTimeout = options.ConnectTimeout,
            // In KiB (rounded up): the whole response head, status line included.
            MaxResponseHeadersLength = Math.Max(1, (options.MaxResponseHeaderBytes + 1023) / 1024),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ResponseDrainTimeout = TimeSpan.FromSeconds(2),
            ConnectCallback = ConnectAsync,
        };
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    /// <summary>Sends a request; returns once the response head is in (the content is read from its stream).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => _invoker.SendAsync(request, cancellationToken);

    public void Dispose() => _invoker.Dispose();

    /// <summary>Connects with Nagle off: a request head goes out at once.</summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
