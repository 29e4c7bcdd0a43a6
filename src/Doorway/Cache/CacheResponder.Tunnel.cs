using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Doorway.Http;
using Doorway.Transport;

namespace Doorway.Cache;

/// <summary>
/// CONNECT (RFC 9110 §9.3.6): a TCP tunnel to host:port, bytes both ways and no inspection, only
/// to the ports <see cref="CacheOptions.ConnectPorts"/> allows (443 by default, so the proxy is
/// not a way into any port, Squid's "CONNECT to non-SSL ports" rule). Each direction half-closes
/// when its sender does; the tunnel ends when both have.
/// </summary>
internal sealed partial class CacheResponder
{
    private const int TunnelBufferBytes = 16 * 1024;

    private async ValueTask TunnelAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        string authority = Encoding.ASCII.GetString(request.Target);
        if (_options.Upstream is not null)
        {
            response.LogNote = "refused";
            await SendErrorAsync(response, 405, "connect-in-reverse-mode", cancellationToken);
            return;
        }

        if (!HostPort.TryParse(authority, 0, out var target) || !_options.ConnectPorts.Contains(target.Value.Port))
        {
            response.LogNote = "refused";
            await SendErrorAsync(response, 403, "connect-port", cancellationToken);
            return;
        }

        Socket socket;
        try
        {
            socket = await TcpConnector.ConnectAsync(target.Value, _options.ConnectTimeout, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            int status = e is TimeoutException ? 504 : 502;
            CacheLog.OriginFailed(_logger, authority, authority, e.Message, status);
            response.LogNote = "error";
            await SendErrorAsync(response, status, status == 504 ? "origin-timeout" : "origin-unreachable", cancellationToken);
            return;
        }

        using (socket)
        {
            response.StartRelayed(200);
            response.Header("Via"u8, _via);
            response.LogNote = "tunnel";
            await response.StartTunnelAsync(cancellationToken);
            var client = request.TakeTunnel();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var up = PumpUpAsync(client, socket, stop);
            var down = PumpDownAsync(socket, client, stop);
            await Task.WhenAll(up, down);
            CacheLog.TunnelEnded(_logger, authority, up.Result, down.Result);
        }
    }

    private static async Task<long> PumpUpAsync(Connection client, Socket origin, CancellationTokenSource stop)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(TunnelBufferBytes);
        long total = 0;
        try
        {
            while (true)
            {
                int read = await client.ReceiveAsync(buffer, stop.Token);
                if (read == 0)
                {
                    origin.Shutdown(SocketShutdown.Send);
                    return total;
                }

                await origin.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop.Token);
                total += read;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // One side is gone: so is the tunnel.
            await stop.CancelAsync();
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<long> PumpDownAsync(Socket origin, Connection client, CancellationTokenSource stop)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(TunnelBufferBytes);
        long total = 0;
        try
        {
            while (true)
            {
                int read = await origin.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                if (read == 0)
                {
                    client.ShutdownSend();
                    return total;
                }

                await client.SendAsync(buffer.AsMemory(0, read), stop.Token);
                total += read;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            await stop.CancelAsync();
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
