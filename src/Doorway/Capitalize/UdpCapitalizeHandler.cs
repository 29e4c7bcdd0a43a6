using Doorway.Transport;

namespace Doorway.Capitalize;

/// <summary>
/// The UDP capitalize protocol: each datagram is answered with its upper case, whole, by the same
/// transform as the TCP door (invalid UTF-8 passes through). An empty datagram gets an empty reply.
/// </summary>
public sealed class UdpCapitalizeHandler : IDatagramHandler
{
    public int MaxReplyLength(int datagramLength) => UpperCaser.MaxOutputLength(datagramLength);

    public int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply) => UpperCaser.TransformWhole(datagram, reply);
}
