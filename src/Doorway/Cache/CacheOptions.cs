using System.Net;
using Doorway.Http;

namespace Doorway.Cache;

/// <summary>
/// The cache door's settings, with the defaults <c>serve</c> uses. Every limit here has a flag
/// (<c>--cache-…</c>) and a test that reaches it.
/// </summary>
public sealed record CacheOptions
{
    public static CacheOptions Default { get; } = new();

    /// <summary>
    /// What a client connection may send. The cache takes request content (a POST passed through
    /// to the origin) up to 1 MiB, nginx's client_max_body_size; more gets 413.
    /// </summary>
    public HttpLimits Http { get; init; } = HttpLimits.Default with { MaxRequestBodyBytes = 1024 * 1024 };

    /// <summary>Bytes of response content all stored objects may take together (memory); the least recently used go first.</summary>
    public long MaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Largest object stored; a larger one is passed through to the client and not kept.</summary>
    public long MaxObjectBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Reverse mode: every request goes to this origin (http://host:port), the way a CDN node
    /// stands in front of one site. Null: a forward proxy, which takes absolute-form targets.
    /// </summary>
    public Uri? Upstream { get; init; }

    /// <summary>Clients the door answers; everyone else gets 403. Loopback only by default, so it is never an open proxy.</summary>
    public IReadOnlyList<IPNetwork> Allow { get; init; } = [new IPNetwork(IPAddress.Loopback, 8), new IPNetwork(IPAddress.IPv6Loopback, 128)];

    /// <summary>Ports a CONNECT tunnel may reach (443, as Squid's SSL_ports); any other gets 403.</summary>
    public IReadOnlyList<int> ConnectPorts { get; init; } = [443];

    /// <summary>Time to open a connection to an origin; after it, 502 (or a stale copy if the response allows stale-if-error).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time the origin may take for its response head, and between two pieces of its content; after it, 504 (or the transfer is cut).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections to one origin open at once (kept alive and reused); requests beyond them wait for one.</summary>
    public int MaxConnectionsPerOrigin { get; init; } = 32;

    /// <summary>How long a request for an object already being fetched waits for that fetch before it asks the origin itself.</summary>
    public TimeSpan CollapseWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest response head an origin may send; larger is a 502 (an origin sending endless headers).</summary>
    public int MaxResponseHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// The upper bound of heuristic freshness from Last-Modified (RFC 9111 §4.2.2: a tenth of the
    /// time since the last change, here at most a day, Squid's refresh_pattern default is three).
    /// </summary>
    public TimeSpan MaxHeuristicFreshness { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The cache's name in Cache-Status (RFC 9211 §2) and Via (RFC 9110 §7.6.3).</summary>
    public string Name { get; init; } = "doorway";

    /// <summary>Directory of the disk store; null: memory only.</summary>
    public string? Directory { get; init; }

    /// <summary>Bytes the disk store may take (its files' content).</summary>
    public long MaxDiskBytes { get; init; } = 1024L * 1024 * 1024;

    internal void Validate()
    {
        Http.Validate();
        if (MaxBytes < 0 || MaxObjectBytes < 0 || MaxDiskBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), "cache sizes must be 0 or more");
        }

        if (MaxConnectionsPerOrigin < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConnectionsPerOrigin), MaxConnectionsPerOrigin, "at least one connection per origin");
        }

        if (ConnectTimeout <= TimeSpan.Zero || ResponseTimeout <= TimeSpan.Zero || CollapseWait < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), "the cache's timeouts must be positive");
        }

        if (Upstream is { } upstream && (upstream.Scheme != Uri.UriSchemeHttp || !upstream.IsAbsoluteUri))
        {
            throw new ArgumentException("the upstream must be an http://host:port URL", nameof(Upstream));
        }

        if (string.IsNullOrEmpty(Name) || Name.Any(c => c is <= ' ' or > '~' or ',' or ';' or '(' or ')'))
        {
            throw new ArgumentException("the cache name must be a token (visible ASCII, no spaces or separators)", nameof(Name));
        }
    }
}
