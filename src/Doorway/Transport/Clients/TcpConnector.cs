using System.Net;
using System.Net.Sockets;

namespace Doorway.Transport;

/// <summary>The client's side of the knock: connects to a server within a time limit.</summary>
public static class TcpConnector
{
    /// <summary>
    /// Connects to the first of the server's addresses that answers. Throws <see cref="SocketException"/>
    /// (refused, unreachable, host not found) or <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<Socket> ConnectAsync(HostPort server, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            IPAddress[] addresses = await server.ResolveAsync(deadline.Token);
            SocketException? last = null;
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, server.Port), deadline.Token);
                    return socket;
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    last = e;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            throw last ?? new SocketException((int)SocketError.HostNotFound);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"timed out: no answer from {server} within {timeout.TotalSeconds:0.###} s");
        }
    }
}
