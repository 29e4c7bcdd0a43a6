using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Doorway.Transport;

/// <summary>A server's address as a user writes it: <c>host:port</c>, <c>[v6]:port</c>, or <c>host</c>.</summary>
public readonly record struct HostPort(string Host, int Port)
{
    public static bool TryParse(string? text, int defaultPort, [NotNullWhen(true)] out HostPort? result)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string host = text;
        int port = defaultPort;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            string rest = text[(close + 1)..];
            if (rest.Length > 0 && (!rest.StartsWith(':') || !TryParsePort(rest[1..], out port)))
            {
                return false;
            }
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
            {
                host = text[..colon];
                if (!TryParsePort(text[(colon + 1)..], out port))
                {
                    return false;
                }
            }
            else if (colon >= 0 && IsAmbiguousIPv6(text, colon))
            {
                // "::1:12000" reads as [::1]:12000 or as the address ::1:12000; guessing either way
                // sends the user somewhere else, so the brackets are required.
                return false;
            }
        }

        if (host.Length == 0)
        {
            return false;
        }

        result = new HostPort(host, port);
        return true;
    }

    /// <summary>An unbracketed IPv6 address whose last group could be a port: what comes before it is an address itself.</summary>
    private static bool IsAmbiguousIPv6(string text, int lastColon) =>
        TryParsePort(text[(lastColon + 1)..], out _)
        && IPAddress.TryParse(text[..lastColon], out var address)
        && address.AddressFamily == AddressFamily.InterNetworkV6;

    public static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;

    /// <summary>The addresses to try, IP literals without a lookup.</summary>
    public async Task<IPAddress[]> ResolveAsync(CancellationToken cancellationToken = default)
    {
        if (IPAddress.TryParse(Host, out var literal))
        {
            return [literal];
        }

        var addresses = await System.Net.Dns.GetHostAddressesAsync(Host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        return addresses;
    }

    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
