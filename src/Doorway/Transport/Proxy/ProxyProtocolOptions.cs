using System.Net;

namespace Doorway.Transport;

/// <summary>
/// Which peers may (and then must) open their connections with a PROXY protocol header, and the
/// limits on reading one (HAProxy's doc/proxy-protocol.txt).
/// </summary>
public sealed record ProxyProtocolOptions
{
    public static ProxyProtocolOptions Default { get; } = new();

    /// <summary>The balancers: a connection from one of these networks must start with a header; from anywhere else a header is refused.</summary>
    public IReadOnlyList<IPNetwork> TrustedNetworks { get; init; } = [];

    /// <summary>
    /// Time from accept to a whole header; slower, and the connection is closed. A balancer sends the
    /// header at once (§2), so this only ever runs out for a broken or hostile peer; the spec asks for
    /// at least 3 s, to cover a TCP retransmit. Like the file door's request timeout by default.
    /// </summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Largest v2 header taken, TLVs included; a longer one is refused without being read. The format
    /// allows 16 + 65535 bytes; senders keep it within one 536-byte segment (§2) plus the TLVs they
    /// chose to add, so 4 KiB leaves room for every registered TLV and bounds what a peer can make us read.
    /// </summary>
    public int MaxHeaderBytes { get; init; } = 4096;

    public bool Trusts(IPAddress address)
    {
        foreach (var network in TrustedNetworks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
