using System.CommandLine;
using Doorway.Dns;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>The authoritative DNS door's flags on <c>serve</c> (issue 14); off unless a port is given.</summary>
internal sealed class DnsDoorFlags : IDoorFlags
{
    private readonly Option<PortOrOff> _port = CommonOptions.OptionalDoorPort("--dns",
        "Port of the authoritative DNS door, UDP and TCP (53 is DNS's; 0 picks a free port, 'off' disables the door).");

    private readonly Option<string[]> _zones = new("--zone")
    {
        Description = "A zone file (RFC 1035 master format) the DNS door serves; give --zone once per zone. A file with an error stops serve with its file, line and reason.",
        HelpName = "FILE",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<int> _rateLimit = CommonOptions.Count("--dns-rate-limit", DnsOptions.Default.RateLimit, 0,
        "Responses per second the DNS door sends one source address over UDP (RRL-style: past it most are dropped, some go out truncated); 0: unlimited. Loopback is exempt.");

    private readonly Option<bool> _rateLimitLoopback = new("--dns-rate-limit-loopback")
    {
        Description = "Hold loopback sources to --dns-rate-limit too.",
    };

    private readonly Option<SecondsValue> _tcpIdle = CommonOptions.Seconds("--dns-tcp-idle-timeout", DnsOptions.Default.TcpIdleTimeout.TotalSeconds,
        "Seconds a DNS-over-TCP connection may wait between queries before it is closed (RFC 7766).");

    public IEnumerable<Option> Options => [_port, _zones, _rateLimit, _rateLimitLoopback, _tcpIdle];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(_port).Port is not int port)
        {
            return null;
        }

        string[] files = parse.GetValue(_zones) ?? [];
        if (files.Length == 0)
        {
            throw new DoorSetupException("--dns needs at least one --zone FILE to serve.");
        }

        var zones = new List<Zone>();
        foreach (string file in files)
        {
            try
            {
                zones.Add(ZoneFileParser.Load(file));
            }
            catch (ZoneFileException e)
            {
                throw new DoorSetupException($"zone file refused: {e.Message}");
            }
        }

        DnsAuthority authority;
        try
        {
            authority = new DnsAuthority(zones);
        }
        catch (ArgumentException e)
        {
            throw new DoorSetupException(e.Message.Split(" (Parameter")[0]);
        }

        var options = DnsOptions.Default with
        {
            RateLimit = parse.GetValue(_rateLimit),
            RateLimitLoopback = parse.GetValue(_rateLimitLoopback),
            TcpIdleTimeout = parse.GetValue(_tcpIdle),
        };
        var udp = UdpDoorOptions.Default with { DrainTimeout = context.DrainTimeout };
        var logger = context.Loggers.CreateLogger("Doorway.Dns");
        string details = string.Join(", ", zones.Select(z => z.Origin.ToString()));
        return new DoorPlan("dns", port, endPoint => DnsDoor.BindAuthority(udp with { EndPoint = endPoint }, context.Tcp with { EndPoint = endPoint }, authority, options, logger, context.House),
            Details: $" serving {details}");
    }
}
