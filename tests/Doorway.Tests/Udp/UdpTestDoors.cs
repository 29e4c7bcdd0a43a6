using System.Net;
using System.Net.Sockets;
using Doorway.Capitalize;
using Doorway.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Doorway.Tests.Support;

namespace Doorway.Tests.Udp;

/// <summary>UDP doors and clients for the tests, on loopback port 0.</summary>
internal static class UdpTestDoors
{
    public static UdpDoor Open(IDatagramHandler? handler = null, IPAddress? address = null, UdpDoorOptions? options = null, int port = 0, ILogger? logger = null)
    {
        var door = UdpDoor.Bind("udp", (options ?? UdpDoorOptions.Default) with
        {
            EndPoint = new IPEndPoint(address ?? IPAddress.Loopback, port),
        }, handler ?? new UdpCapitalizeHandler(), logger ?? NullLogger.Instance);
        door.Start();
        return door;
    }

    /// <summary>Where a client reaches <paramref name="door"/> (a door on all interfaces is reached on loopback).</summary>
    public static IPEndPoint Target(UdpDoor door, IPAddress? via = null)
    {
        var address = door.LocalEndPoint.Address;
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Any))
        {
            address = via ?? IPAddress.Loopback;
        }

        return new IPEndPoint(address, door.LocalEndPoint.Port);
    }

    /// <summary>Sends one datagram from a fresh socket and returns the reply (or throws at the deadline).</summary>
    public static async Task<byte[]> ExchangeAsync(IPEndPoint target, ReadOnlyMemory<byte> datagram, TimeSpan? limit = null)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(target);
        await socket.SendAsync(datagram, SocketFlags.None);
        byte[] buffer = new byte[70_000];
        int received = await socket.ReceiveAsync(buffer, SocketFlags.None, Deadline.Token(limit ?? TimeSpan.FromSeconds(10)));
        return buffer[..received];
    }

    /// <summary>
    /// <see cref="UdpDoor.Replied"/> once it has reached <paramref name="atLeast"/>: the door counts a
    /// reply after sendto returns, so a client can hold the reply before the count has moved.
    /// </summary>
    public static async Task<long> RepliedAsync(UdpDoor door, long atLeast)
    {
        await Deadline.UntilAsync(() => door.Replied >= atLeast, $"{atLeast} replies to be counted");
        return door.Replied;
    }

    public static HostPort HostPortOf(IPEndPoint endPoint) => new(endPoint.Address.ToString(), endPoint.Port);
}
