using System.Net;
using System.Net.Sockets;

namespace Doorway.Transport;

/// <summary>How every door gets its socket: made, bound, and disposed again if binding fails.</summary>
internal static class DoorSocket
{
    /// <summary>
    /// Binds a new socket to <paramref name="endPoint"/>; <c>[::]</c> is dual mode (IPv4 and IPv6).
    /// No ReuseAddress: on Linux .NET would also set SO_REUSEPORT and let two servers share the port.
    /// Throws <see cref="SocketException"/> (for example AddressAlreadyInUse).
    /// </summary>
    public static Socket Bind(IPEndPoint endPoint, SocketType type, ProtocolType protocol, Action<Socket>? afterBind = null)
    {
        var socket = new Socket(endPoint.AddressFamily, type, protocol);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            afterBind?.Invoke(socket);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
