using System.Net;
using Microsoft.Extensions.Logging;

namespace Doorway.Dns;

/// <summary>
/// An iterative resolver (RFC 1034 §5.3.3): from the root hints, ask the closest known servers for
/// the name without recursion; follow referrals down and CNAMEs across; cache every RRset and every
/// negative answer (RFC 2308). A server's records are believed only within its bailiwick (the zone
/// it was asked as), so a reply cannot plant records for names above or beside it. Each client
/// query has a budget of upstream queries, referrals and nesting; past it, SERVFAIL.
/// </summary>
public sealed partial class DnsResolver
{
    private readonly RootHints _hints;
    private readonly ResolverOptions _options;
    private readonly ILogger _logger;
    private long _upstreamQueries;

    public DnsResolver(RootHints hints, ResolverOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(hints);
        ArgumentNullException.ThrowIfNull(options);
        _hints = hints;
        _options = options;
        _logger = logger;
        Cache = new DnsCache(options.CacheEntries);
    }

    public DnsCache Cache { get; }

    /// <summary>Queries sent upstream since start (for tests: a cached answer sends none).</summary>
    public long UpstreamQueries => Interlocked.Read(ref _upstreamQueries);

    /// <summary>Resolves <paramref name="name"/>/<paramref name="type"/>; never throws for a network or budget failure (SERVFAIL).</summary>
    public async Task<ResolverAnswer> ResolveAsync(DnsName name, DnsType type, CancellationToken cancellationToken)
    {
        var budget = new Budget(_options.MaxUpstreamQueries);
        try
        {
            return await ResolveAsync(name, type, budget, 0, cancellationToken);
        }
        catch (BudgetException e)
        {
            LogGaveUp(_logger, name, DnsRecord.TypeName(type), e.Message);
            return ResolverAnswer.ServFail;
        }
    }

    /// <summary>The answer when the cache holds all of it (each CNAME and the end of the chain); null otherwise.</summary>
    public ResolverAnswer? TryFromCache(DnsName name, DnsType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        var answers = new List<DnsRecord>();
        var current = name;
        for (int chain = 0; chain <= _options.MaxCnameChain; chain++)
        {
            if (Cache.Find(current, type) is { } hit)
            {
                answers.AddRange(hit.Records);
                return new ResolverAnswer(hit.Rcode, answers, hit.Soa);
            }

            if (type == DnsType.CNAME || Cache.Find(current, DnsType.CNAME) is not { Rcode: DnsRcode.NoError, Records.Count: > 0 } alias)
            {
                return null;
            }

            answers.Add(alias.Records[0]);
            current = alias.Records[0].Data.Names[0];
        }

        return null;
    }

    private async Task<ResolverAnswer> ResolveAsync(DnsName name, DnsType type, Budget budget, int depth, CancellationToken cancellationToken)
    {
        if (depth > _options.MaxDepth)
        {
            throw new BudgetException($"more than {_options.MaxDepth} nested lookups");
        }

        var answers = new List<DnsRecord>();
        var current = name;
        for (int chain = 0; chain <= _options.MaxCnameChain; chain++)
        {
            var step = await ResolveOneAsync(current, type, budget, depth, cancellationToken);
            if (step.Rcode == DnsRcode.ServFail)
            {
                return ResolverAnswer.ServFail;
            }

            var cname = type != DnsType.CNAME ? step.Records.FirstOrDefault(r => r.Type == DnsType.CNAME && r.Owner.Equals(current)) : null;
            if (cname is not null)
            {
                answers.Add(cname);
                current = cname.Data.Names[0];
                continue;
            }

            answers.AddRange(step.Records);
            return new ResolverAnswer(step.Rcode, answers, step.Soa);
        }

        throw new BudgetException($"a CNAME chain longer than {_options.MaxCnameChain}");
    }

    /// <summary>One name, no CNAME following: the cache, else the hierarchy.</summary>
    private async Task<DnsCache.Hit> ResolveOneAsync(DnsName name, DnsType type, Budget budget, int depth, CancellationToken cancellationToken)
    {
        if (Cache.Find(name, type) is { } hit)
        {
            return hit;
        }

        if (type != DnsType.CNAME && Cache.Find(name, DnsType.CNAME) is { Rcode: DnsRcode.NoError } alias)
        {
            return alias;
        }

        var (zone, servers) = ClosestServers(name);
        for (int referral = 0; referral <= _options.MaxReferrals; referral++)
        {
            var reply = await AskServersAsync(zone, servers, name, type, budget, depth, cancellationToken);
            if (reply is null)
            {
                LogNoServer(_logger, name, DnsRecord.TypeName(type), zone);
                return new DnsCache.Hit(DnsRcode.ServFail, [], null);
            }

            var outcome = Classify(reply, zone, name, type);
            if (outcome.Referral is { } child)
            {
                zone = child;
                servers = reply.Authority.Where(r => r.Type == DnsType.NS && r.Owner.Equals(child)).Select(r => r.Data.Names[0]).ToList();
                continue;
            }

            return outcome.Hit!;
        }

        LogGaveUp(_logger, name, DnsRecord.TypeName(type), $"more than {_options.MaxReferrals} referrals");
        return new DnsCache.Hit(DnsRcode.ServFail, [], null);
    }

    /// <summary>The deepest zone above <paramref name="name"/> whose servers the cache knows; the root hints otherwise.</summary>
    private (DnsName Zone, List<DnsName> Servers) ClosestServers(DnsName name)
    {
        for (var zone = name; !zone.IsRoot; zone = zone.Parent())
        {
            if (Cache.Find(zone, DnsType.NS) is { Rcode: DnsRcode.NoError, Records.Count: > 0 } ns)
            {
                return (zone, ns.Records.Select(r => r.Data.Names[0]).ToList());
            }
        }

        return (DnsName.Root, [.. _hints.Servers]);
    }

    /// <summary>Asks the zone's servers in turn until one answers (a timeout moves to the next, RFC 1035 §7.2).</summary>
    private async Task<DnsMessage?> AskServersAsync(DnsName zone, List<DnsName> servers, DnsName name, DnsType type, Budget budget, int depth, CancellationToken cancellationToken)
    {
        var addresses = new List<IPAddress>();
        foreach (var server in servers)
        {
            addresses.AddRange(KnownAddresses(zone, server));
        }

        if (addresses.Count == 0)
        {
            // No glue: look the servers' addresses up (a nested resolution, on the same budget).
            foreach (var server in servers)
            {
                if (server.IsAtOrBelow(zone) || server.Equals(name))
                {
                    // Glue that should have come and did not: asking would loop.
                    continue;
                }

                var found = await ResolveAsync(server, DnsType.A, budget, depth + 1, cancellationToken);
                addresses.AddRange(found.Answers.Where(r => r.Type == DnsType.A).Select(r => new IPAddress(r.Data.Prefix)));
                if (addresses.Count > 0)
                {
                    break;
                }
            }
        }

        foreach (var address in addresses.Distinct())
        {
            budget.Spend();
            Interlocked.Increment(ref _upstreamQueries);
            var endPoint = new IPEndPoint(address, _options.UpstreamPort);
            DnsExchange.Result? result;
            try
            {
                result = await DnsExchange.AskAsync(endPoint, name, type, recursionDesired: false, tcp: false, _options.UpstreamTimeout, cancellationToken);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                LogUpstreamFailed(_logger, endPoint, e.SocketErrorCode.ToString());
                continue;
            }

            if (result is null)
            {
                LogUpstreamTimeout(_logger, endPoint, name, DnsRecord.TypeName(type));
                continue;
            }

            var rcode = result.Message.Rcode;
            if (rcode is DnsRcode.NoError or DnsRcode.NxDomain)
            {
                return result.Message;
            }

            // SERVFAIL, REFUSED (a lame server), FORMERR: another server may do better.
            LogUpstreamRcode(_logger, endPoint, rcode.ToString(), name, DnsRecord.TypeName(type));
        }

        return null;
    }

    private IEnumerable<IPAddress> KnownAddresses(DnsName zone, DnsName server)
    {
        if (Cache.Find(server, DnsType.A) is { Rcode: DnsRcode.NoError } a)
        {
            foreach (var record in a.Records)
            {
                yield return new IPAddress(record.Data.Prefix);
            }
        }

        if (zone.IsRoot)
        {
            foreach (var (hinted, address) in _hints.Addresses)
            {
                if (hinted.Equals(server) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                {
                    yield return address;
                }
            }
        }
    }

    private sealed record Outcome(DnsCache.Hit? Hit, DnsName? Referral);

    /// <summary>Reads one server's reply to (name, type) asked of <paramref name="zone"/>'s servers, caching what it may believe.</summary>
    private Outcome Classify(DnsMessage reply, DnsName zone, DnsName name, DnsType type)
    {
        var soa = reply.Authority.FirstOrDefault(r => r.Type == DnsType.SOA && name.IsAtOrBelow(r.Owner) && r.Owner.IsAtOrBelow(zone));
        if (reply.Rcode == DnsRcode.NxDomain)
        {
            var cnames = InBailiwick(reply.Answers, zone).Where(r => r.Type == DnsType.CNAME).ToList();
            if (cnames.Count > 0 && type != DnsType.CNAME)
            {
                // A chain whose end is missing: the CNAME is the answer here; its target's NXDOMAIN comes from the next step.
                return CacheAnswers(reply, zone, name, type);
            }

            if (soa is not null)
            {
                Cache.AddNegative(name, type, DnsRcode.NxDomain, soa, _options.MaxNegativeTtl);
            }

            return new Outcome(new DnsCache.Hit(DnsRcode.NxDomain, [], soa), null);
        }

        if (reply.Answers.Count > 0)
        {
            return CacheAnswers(reply, zone, name, type);
        }

        // A referral: NS records for a zone below the one asked, and above the name (RFC 1034 §4.3.2).
        var delegation = reply.Authority.FirstOrDefault(r => r.Type == DnsType.NS && !r.Owner.Equals(zone) && r.Owner.IsAtOrBelow(zone) && name.IsAtOrBelow(r.Owner));
        if (delegation is not null && !reply.Authoritative)
        {
            var child = delegation.Owner;
            var ns = reply.Authority.Where(r => r.Type == DnsType.NS && r.Owner.Equals(child)).ToList();
            Cache.AddRecords(child, DnsType.NS, ns, _options.MaxTtl);
            foreach (var target in ns.Select(r => r.Data.Names[0]))
            {
                // Glue is believed only inside the zone that gave it.
                var glue = reply.Additional.Where(r => r.Owner.Equals(target) && r.Type is DnsType.A or DnsType.AAAA && r.Owner.IsAtOrBelow(zone)).ToList();
                foreach (var group in glue.GroupBy(r => r.Type))
                {
                    Cache.AddRecords(target, group.Key, [.. group], _options.MaxTtl);
                }
            }

            return new Outcome(null, child);
        }

        if (soa is not null || reply.Authoritative)
        {
            // NODATA (RFC 2308 §2.2).
            if (soa is not null)
            {
                Cache.AddNegative(name, type, DnsRcode.NoError, soa, _options.MaxNegativeTtl);
            }

            return new Outcome(new DnsCache.Hit(DnsRcode.NoError, [], soa), null);
        }

        // Neither an answer nor a referral nor authority: a lame server.
        LogLame(_logger, zone, name, DnsRecord.TypeName(type));
        return new Outcome(new DnsCache.Hit(DnsRcode.ServFail, [], null), null);
    }

    private Outcome CacheAnswers(DnsMessage reply, DnsName zone, DnsName name, DnsType type)
    {
        var believed = InBailiwick(reply.Answers, zone).ToList();
        foreach (var group in believed.GroupBy(r => (r.Owner, r.Type)))
        {
            Cache.AddRecords(group.Key.Owner, group.Key.Type, [.. group], _options.MaxTtl);
        }

        var direct = believed.Where(r => r.Owner.Equals(name) && (r.Type == type || type == DnsType.ANY)).ToList();
        if (direct.Count > 0)
        {
            return new Outcome(new DnsCache.Hit(DnsRcode.NoError, direct, null), null);
        }

        var cname = believed.FirstOrDefault(r => r.Owner.Equals(name) && r.Type == DnsType.CNAME);
        if (cname is not null)
        {
            return new Outcome(new DnsCache.Hit(DnsRcode.NoError, [cname], null), null);
        }

        LogLame(_logger, zone, name, DnsRecord.TypeName(type));
        return new Outcome(new DnsCache.Hit(DnsRcode.ServFail, [], null), null);
    }

    private static IEnumerable<DnsRecord> InBailiwick(IEnumerable<DnsRecord> records, DnsName zone) =>
        records.Where(r => r.Owner.IsAtOrBelow(zone) && r.Class == DnsFlags.ClassIn);

    private sealed class Budget(int queries)
    {
        private int _spent;

        public void Spend()
        {
            if (Interlocked.Increment(ref _spent) > queries)
            {
                throw new BudgetException($"more than {queries} upstream queries");
            }
        }
    }

    private sealed class BudgetException(string message) : Exception(message);

    [LoggerMessage(EventId = 1400, Level = LogLevel.Debug, Message = "resolver gave up on {Name} {Type}: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, DnsName name, string type, string reason);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "resolver: no server of {Zone} answered for {Name} {Type}")]
    private static partial void LogNoServer(ILogger logger, DnsName name, string type, DnsName zone);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Debug, Message = "resolver: {Server} failed: {Error}")]
    private static partial void LogUpstreamFailed(ILogger logger, IPEndPoint server, string error);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Debug, Message = "resolver: {Server} did not answer {Name} {Type} in time; trying the next server")]
    private static partial void LogUpstreamTimeout(ILogger logger, IPEndPoint server, DnsName name, string type);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Debug, Message = "resolver: {Server} answered {Rcode} for {Name} {Type}; trying the next server")]
    private static partial void LogUpstreamRcode(ILogger logger, IPEndPoint server, string rcode, DnsName name, string type);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Debug, Message = "resolver: a server of {Zone} gave neither an answer nor a referral for {Name} {Type}")]
    private static partial void LogLame(ILogger logger, DnsName zone, DnsName name, string type);
}
