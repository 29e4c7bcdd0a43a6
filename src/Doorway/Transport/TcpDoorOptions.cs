using System.Net;

namespace Doorway.Transport;

/// <summary>Limits and timeouts of one TCP welcome door.</summary>
public sealed record TcpDoorOptions
{
    public static TcpDoorOptions Default { get; } = new();

    /// <summary>Where the welcome door listens. <c>[::]:0</c> with dual mode is "all interfaces, IPv4 and IPv6".</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.IPv6Any, 0);

    /// <summary>Connections served at once; the next client is accepted and closed at once.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>A connection with no bytes received or sent for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>On shutdown, how long open connections may take to finish before they are closed.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The kernel's queue of completed handshakes not yet accepted (listen(2) backlog).</summary>
    public int Backlog { get; init; } = 4096;
}
