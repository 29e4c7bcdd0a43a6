using System.Net;

namespace Doorway.Transport;

/// <summary>
/// Client networks as every flag that names them takes them (<c>--proxy-protocol</c>,
/// <c>--cache-allow</c>, <c>--resolver-allow</c>): CIDR, or a bare address for a network of one.
/// </summary>
public static class ClientNetworks
{
    /// <summary>Parses "CIDR[,CIDR…]"; a bare address is a network of one. Throws <see cref="FormatException"/> naming the bad part.</summary>
    public static IPNetwork[] Parse(string text)
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

        return [.. networks];
    }
}
