using System.Text;

namespace Doorway.Cache;

/// <summary>
/// Fields that belong to one connection, not to the message (RFC 9110 §7.6.1): a proxy removes
/// them, and every field the Connection field names, before it forwards a message either way.
/// Proxy-Authorization and Proxy-Authenticate are for this hop too (§11.7), and the framing
/// fields are the sending side's own business.
/// </summary>
internal static class HopByHop
{
    private static readonly string[] Names =
    [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "content-length",
    ];

    public static bool Is(string name)
    {
        foreach (var hop in Names)
        {
            if (string.Equals(hop, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Is(ReadOnlySpan<byte> name)
    {
        foreach (var hop in Names)
        {
            if (name.Length == hop.Length && Ascii.EqualsIgnoreCase(name, hop))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="name"/> is among the options of the Connection field values <paramref name="connection"/>.</summary>
    public static bool NamedBy(IReadOnlyList<string> connection, string name)
    {
        foreach (var value in connection)
        {
            foreach (var option in value.Split(','))
            {
                if (string.Equals(option.Trim(' ', '\t'), name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
