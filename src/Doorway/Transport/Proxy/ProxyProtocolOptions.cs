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

    /// <summary>Parses "CIDR[,CIDR…]"; a bare address is a network of one. Throws <see cref="FormatException"/> naming the bad part.</summary>
    public static IReadOnlyList<IPNetwork> ParseNetworks(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var networks = new List<IPNetwork>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int slash = part.IndexOf('/', StringComparison.Ordinal);
            if (IPNetwork.TryParse(part, out var network))
            {
                if (!network.BaseAddress.Equals(IPAddress.Parse(part[..slash])))
                {
                    // 10.0.0.1/8 is most likely a typo; taking it as 10.0.0.0/8 would trust more than was meant.
                    throw new FormatException($"'{part}' has bits set past its prefix length (the network is {network})");
                }

                networks.Add(network);
            }
            else if (slash < 0 && IPAddress.TryParse(part, out var address))
            {
                address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new FormatException($"'{part}' is not a network (CIDR such as 10.0.0.0/8 or ::1/128) or an address");
            }
        }

        return networks;
    }
}
