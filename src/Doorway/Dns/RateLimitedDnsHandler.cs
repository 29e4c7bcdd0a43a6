using System.Diagnostics;
using System.Net;
using Doorway.Transport;

namespace Doorway.Dns;

/// <summary>
/// The authoritative door over UDP with response rate limiting in the spirit of BIND's RRL: each
/// source address may draw <see cref="DnsOptions.RateLimit"/> responses a second (a token bucket,
/// the UDP door's <see cref="ReplyBudget"/> counting responses instead of bytes). Past it a
/// response is dropped, except every <see cref="DnsOptions.RateLimitSlip"/>th, which goes out
/// truncated (TC, question only: as small as the query), so a real client whose address is being
/// forged can still ask over TCP, where a forged source cannot follow.
/// </summary>
internal sealed class RateLimitedDnsHandler(DnsAuthority authority, ReplyBudget budget, int slip) : IDatagramHandler
{
    private long _limited;

    /// <summary>Responses the limit dropped or truncated.</summary>
    public long Limited => Interlocked.Read(ref _limited);

    public int MaxReplyLength(int datagramLength) => DnsAuthority.MaxUdpReply;

    public int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply) => authority.Answer(datagram, reply, overTcp: false);

    public int OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress sender, Span<byte> reply)
    {
        int length = authority.Answer(datagram, reply, overTcp: false);
        if (length < 0 || budget.TrySpend(sender, 1, Stopwatch.GetTimestamp()))
        {
            return length;
        }

        long limited = Interlocked.Increment(ref _limited);
        return slip > 0 && limited % slip == 0 ? DnsTruncation.ToQuestion(reply[..length]) : -1;
    }
}
