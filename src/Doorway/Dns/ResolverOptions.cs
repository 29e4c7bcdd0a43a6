using System.Net;

namespace Doorway.Dns;

/// <summary>The recursive resolver's limits (issue 14). Every one caps the work a single query can cause.</summary>
public sealed record ResolverOptions
{
    public static ResolverOptions Default { get; } = new();

    /// <summary>The port every upstream server is asked on: DNS's 53; a hierarchy on loopback may run on another.</summary>
    public int UpstreamPort { get; init; } = 53;

    /// <summary>How long one upstream server gets before the next is tried (RFC 1035 §7.2: retransmit to another server).</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Referrals followed for one name (a chain of delegations 16 deep is far past any real one).</summary>
    public int MaxReferrals { get; init; } = 16;

    /// <summary>Upstream queries one client query may cause, name-server lookups and retries included (Unbound's is 32-ish per target; BIND's max-recursion-queries is 100).</summary>
    public int MaxUpstreamQueries { get; init; } = 64;

    /// <summary>Nested resolutions (a name server's address, whose server's address, ...) one query may need.</summary>
    public int MaxDepth { get; init; } = 4;

    /// <summary>CNAMEs followed for one answer.</summary>
    public int MaxCnameChain { get; init; } = 8;

    /// <summary>Entries (name, type, class) the cache holds; past it the oldest entry goes.</summary>
    public int CacheEntries { get; init; } = 10_000;

    /// <summary>A record is cached at most this long whatever its TTL (Unbound's cache-max-ttl is a day).</summary>
    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromDays(1);

    /// <summary>A negative answer is cached at most this long (RFC 2308 §5: "one to three hours").</summary>
    public TimeSpan MaxNegativeTtl { get; init; } = TimeSpan.FromHours(3);

    /// <summary>Client queries being resolved at once; past it a query gets SERVFAIL at once.</summary>
    public int MaxConcurrentQueries { get; init; } = 256;

    /// <summary>Who may ask: not an open resolver (RFC 5358). Loopback by default.</summary>
    public IReadOnlyList<IPNetwork> Allow { get; init; } = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];
}
