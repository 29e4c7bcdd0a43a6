using System.Net;

namespace Doorway.Transport;

/// <summary>Limits of one UDP door.</summary>
public sealed record UdpDoorOptions
{
    public static UdpDoorOptions Default { get; } = new();

    /// <summary>
    /// The largest UDP payload over IPv4: 65535 (IP total length) - 20 (IP header) - 8 (UDP header) (RFC 768, RFC 791).
    /// </summary>
    public const int MaxIPv4Payload = 65_507;

    /// <summary>
    /// The largest UDP payload over IPv6 without jumbograms: 65535 (payload length, header excluded) - 8 (UDP header) (RFC 8200).
    /// </summary>
    public const int MaxIPv6Payload = 65_527;

    /// <summary>Where the door receives. <c>[::]:0</c> with dual mode is "all interfaces, IPv4 and IPv6".</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.IPv6Any, 0);

    /// <summary>
    /// Receives outstanding at once: each receiver is a thread blocked in recvfrom(2) with its own
    /// buffers, so one slow datagram (a 64 KiB one) does not hold up the others.
    /// </summary>
    public int Receivers { get; init; } = Math.Clamp(Environment.ProcessorCount, 2, 8);

    /// <summary>On shutdown, how long datagrams being answered may take before the door closes anyway.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
