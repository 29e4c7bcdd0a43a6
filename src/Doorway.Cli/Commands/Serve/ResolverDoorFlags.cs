using System.CommandLine;
using System.Net;
using Doorway.Dns;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>The recursive resolver door's flags on <c>serve</c> (issue 14); off unless a port is given.</summary>
internal sealed class ResolverDoorFlags : IDoorFlags
{
    private readonly Option<PortOrOff> _port = CommonOptions.OptionalDoorPort("--resolver",
        "Port of the recursive resolver door, UDP and TCP (0 picks a free port, 'off' disables the door).");

    private readonly Option<string?> _hints = new("--root-hints")
    {
        Description = "The root servers' names and addresses, in zone format (NS records for '.', A records for the servers), where the resolver starts each walk.",
        HelpName = "FILE",
    };

    private readonly Option<IPNetwork[]?> _allow = CommonOptions.Networks("--resolver-allow",
        "Client networks (CIDR or addresses, comma-separated, repeatable) the resolver answers; others get REFUSED: not an open resolver. [default: 127.0.0.0/8 and ::1]");

    private readonly Option<int> _upstreamPort = CommonOptions.Count("--resolver-upstream-port", ResolverOptions.Default.UpstreamPort, 1,
        "The port the resolver asks every name server on (53; a hierarchy on loopback may use another).");

    private readonly Option<SecondsValue> _timeout = CommonOptions.Seconds("--resolver-timeout", ResolverOptions.Default.UpstreamTimeout.TotalSeconds,
        "Seconds the resolver waits for one name server before it asks the next.");

    private readonly Option<int> _cache = CommonOptions.Count("--resolver-cache-entries", ResolverOptions.Default.CacheEntries, 1,
        "Answers (name, type) the resolver's cache holds; past it the oldest goes.");

    private readonly Option<int> _maxQueries = CommonOptions.Count("--resolver-max-queries", ResolverOptions.Default.MaxUpstreamQueries, 1,
        "Upstream queries one client query may cause before it gets SERVFAIL.");

    private readonly Option<int> _maxReferrals = CommonOptions.Count("--resolver-max-referrals", ResolverOptions.Default.MaxReferrals, 1,
        "Referrals followed for one name before it gets SERVFAIL.");

    private readonly Option<int> _concurrent = CommonOptions.Count("--resolver-max-concurrent", ResolverOptions.Default.MaxConcurrentQueries, 1,
        "Client queries resolved at once over UDP; past it a query gets SERVFAIL at once.");

    public IEnumerable<Option> Options => [_port, _hints, _allow, _upstreamPort, _timeout, _cache, _maxQueries, _maxReferrals, _concurrent];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(_port).Port is not int port)
        {
            return null;
        }

        string file = parse.GetValue(_hints) ?? throw new DoorSetupException("--resolver needs --root-hints FILE: the root servers to start from.");
        RootHints hints;
        try
        {
            hints = RootHints.Load(file);
        }
        catch (ZoneFileException e)
        {
            throw new DoorSetupException($"root hints refused: {e.Message}");
        }

        var options = ResolverOptions.Default with
        {
            UpstreamPort = parse.GetValue(_upstreamPort),
            UpstreamTimeout = parse.GetValue(_timeout),
            CacheEntries = parse.GetValue(_cache),
            MaxUpstreamQueries = parse.GetValue(_maxQueries),
            MaxReferrals = parse.GetValue(_maxReferrals),
            MaxConcurrentQueries = parse.GetValue(_concurrent),
        };
        if (parse.GetValue(_allow) is { Length: > 0 } allow)
        {
            options = options with { Allow = allow };
        }

        var logger = context.Loggers.CreateLogger("Doorway.Resolver");
        return new DoorPlan("resolver", port, endPoint => ResolverDoor.Bind(endPoint, context.Tcp, hints, options, DnsOptions.Default, logger, context.House),
            Details: $" from the root hints {file}, answering {string.Join(", ", options.Allow)}");
    }
}
