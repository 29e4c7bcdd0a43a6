using System.Buffers;

namespace Doorway.Http;

/// <summary>
/// The syntax of a Host field value and of a target's authority: uri-host [ ":" port ] (RFC 9110
/// §7.2, §4.2.3), where uri-host is an IP-literal in brackets, an IPv4 address or a reg-name
/// (RFC 3986 §3.2.2). Checked without allocating, byte by byte; what the host names is not looked up.
/// </summary>
internal static class HostSyntax
{
    // RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims ); an IPv4 address is made of these too.
    private static readonly SearchValues<byte> RegNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=%"u8);

    // IPv6address (hex, ':', '.' for an embedded IPv4 address) and IPvFuture ("v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )).
    private static readonly SearchValues<byte> IpLiteralChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:"u8);

    /// <summary>
    /// Whether <paramref name="value"/> is uri-host [ ":" port ]. An empty value is a valid Host
    /// (§7.2: a target without an authority); <paramref name="portRequired"/> is for CONNECT's
    /// authority form, host ":" port with a port (RFC 9112 §3.2.3).
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> value, bool portRequired = false)
    {
        if (value.IsEmpty)
        {
            return !portRequired;
        }

        ReadOnlySpan<byte> rest;
        if (value[0] == (byte)'[')
        {
            int close = value.IndexOf((byte)']');
            if (close < 0 || !IsIpLiteral(value[1..close]))
            {
                return false;
            }

            rest = value[(close + 1)..];
        }
        else
        {
            int colon = value.IndexOf((byte)':');
            var host = colon < 0 ? value : value[..colon];
            if (host.IsEmpty || host.IndexOfAnyExcept(RegNameChars) >= 0 || !EscapesAreWhole(host))
            {
                return false;
            }

            rest = colon < 0 ? [] : value[colon..];
        }

        if (rest.IsEmpty)
        {
            return !portRequired;
        }

        // port = *DIGIT (RFC 3986 §3.2.3): "host:" is allowed, except where a port is required.
        var port = rest[1..];
        return rest[0] == (byte)':' && (!portRequired || !port.IsEmpty) && port.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    private static bool IsIpLiteral(ReadOnlySpan<byte> inside)
    {
        if (inside.IsEmpty || inside.IndexOfAnyExcept(IpLiteralChars) >= 0)
        {
            return false;
        }

        if (inside[0] is (byte)'v' or (byte)'V')
        {
            int dot = inside.IndexOf((byte)'.');
            return dot > 1 && dot < inside.Length - 1 && inside[1..dot].IndexOfAnyExcept("0123456789ABCDEFabcdef"u8) < 0;
        }

        return inside.Contains((byte)':') && inside.IndexOfAnyExcept("0123456789ABCDEFabcdef:."u8) < 0;
    }

    /// <summary>Every '%' starts pct-encoded: two hex digits (RFC 3986 §2.1).</summary>
    private static bool EscapesAreWhole(ReadOnlySpan<byte> host)
    {
        for (int i = 0; i < host.Length; i++)
        {
            if (host[i] == (byte)'%'
                && (i + 2 >= host.Length || !char.IsAsciiHexDigit((char)host[i + 1]) || !char.IsAsciiHexDigit((char)host[i + 2])))
            {
                return false;
            }
        }

        return true;
    }
}
