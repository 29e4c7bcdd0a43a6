using Doorway.Transport;

namespace Doorway.Dns;

/// <summary>The authoritative door over UDP: one query, one reply written in place (RFC 1035 §4.2.1).</summary>
internal sealed class DnsDatagramHandler(DnsAuthority authority) : IDatagramHandler
{
    public int MaxReplyLength(int datagramLength) => DnsAuthority.MaxUdpReply;

    public int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply) => authority.Answer(datagram, reply, overTcp: false);
}
