using System.Text;
using Doorway.Http;

namespace Doorway.Cache;

/// <summary>
/// Where a request goes: the origin's host and port and the path, from an absolute-form target
/// (a forward proxy's request, RFC 9112 §3.2.2) or, in reverse mode, from the upstream and an
/// origin-form path. <see cref="Key"/> is the cache key, the normalized target URI (RFC 9111 §2):
/// scheme and host lower case, the default port left out.
/// </summary>
internal readonly record struct CacheTarget(string Host, int Port, string PathAndQuery)
{
    public string Authority => Port == 80 ? HostText : $"{HostText}:{Port}";

    public string Key => $"http://{Authority}{PathAndQuery}";

    public Uri Uri => new($"http://{HostText}:{Port}{PathAndQuery}");

    private string HostText => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;

    /// <summary>Why the target cannot be forwarded (null when it can): the answer's reason, with its status.</summary>
    public static string? TryParse(HttpRequest request, Uri? upstream, out CacheTarget target, out int status)
    {
        target = default;
        status = 400;
        var raw = request.Target;
        if (request.TargetForm == HttpTargetForm.Absolute)
        {
            int schemeEnd = raw.IndexOf("://"u8);
            var scheme = raw[..schemeEnd];
            var rest = raw[(schemeEnd + 3)..];
            int pathStart = rest.IndexOfAny("/?#"u8);
            var authority = pathStart < 0 ? rest : rest[..pathStart];
            string path = pathStart < 0 ? "/" : Path(rest[pathStart..]);
            if (upstream is not null)
            {
                // A gateway takes the path; the origin is its own (RFC 9110 §3.7).
                target = new CacheTarget(upstream.Host.Trim('[', ']'), upstream.Port, path);
                return null;
            }

            if (!Ascii.EqualsIgnoreCase(scheme, "http"u8))
            {
                // https goes through a CONNECT tunnel; anything else is not HTTP.
                status = 501;
                return "only http:// targets are fetched (https:// takes CONNECT)";
            }

            if (!TrySplitAuthority(Encoding.ASCII.GetString(authority), out string host, out int port))
            {
                return "malformed authority";
            }

            target = new CacheTarget(host.ToLowerInvariant(), port, path);
            return null;
        }

        if (request.TargetForm == HttpTargetForm.Origin && upstream is not null)
        {
            target = new CacheTarget(upstream.Host.Trim('[', ']'), upstream.Port, Path(raw));
            return null;
        }

        return upstream is null ? "a forward proxy takes absolute-form targets (GET http://host/path)" : "the target is not a path";
    }

    /// <summary>The path and query; a fragment is never sent (RFC 9110 §4.2.5), an empty path is "/".</summary>
    private static string Path(ReadOnlySpan<byte> pathAndMore)
    {
        int hash = pathAndMore.IndexOf((byte)'#');
        if (hash >= 0)
        {
            pathAndMore = pathAndMore[..hash];
        }

        string path = Encoding.ASCII.GetString(pathAndMore);
        return path.Length == 0 || path[0] != '/' ? "/" + path : path;
    }

    private static bool TrySplitAuthority(string authority, out string host, out int port)
    {
        port = 80;
        host = authority;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            host = authority[1..close];
            string tail = authority[(close + 1)..];
            return tail.Length == 0 || (tail[0] == ':' && (tail.Length == 1 || Transport.HostPort.TryParsePort(tail[1..], out port)));
        }

        int colon = authority.LastIndexOf(':');
        if (colon >= 0)
        {
            host = authority[..colon];
            string digits = authority[(colon + 1)..];
            if (digits.Length > 0 && !Transport.HostPort.TryParsePort(digits, out port))
            {
                return false;
            }
        }

        return host.Length > 0 && port > 0;
    }
}
