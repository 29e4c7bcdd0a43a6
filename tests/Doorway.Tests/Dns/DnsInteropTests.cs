using System.Net;
using Doorway.Dns;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Dns;

/// <summary>
/// Interop both ways: Unbound resolving over Doorway's authoritative servers, and Doorway's
/// resolver over NSD's, give the same answers as Doorway's resolver over Doorway's servers.
/// </summary>
public sealed class DnsInteropTests
{
    private static readonly (string Name, DnsType Type)[] Questions =
    [
        ("www.example.test.", DnsType.A),
        ("www.example.test.", DnsType.AAAA),
        ("files.example.test.", DnsType.A),
        ("example.test.", DnsType.MX),
        ("example.test.", DnsType.NS),
        ("motd.example.test.", DnsType.TXT),
        ("_http._tcp.example.test.", DnsType.SRV),
        ("80.2.0.192.example.test.", DnsType.PTR),
        ("example.test.", DnsType.CAA),
        ("missing.example.test.", DnsType.A),
        ("mail.example.test.", DnsType.AAAA),
    ];

    /// <summary>What the answers are, TTLs aside: rcode, then each answer record's owner, type and data.</summary>
    private static async Task<string[]> AnswersAsync(IPEndPoint resolver)
    {
        var lines = new List<string>();
        foreach (var (name, type) in Questions)
        {
            var result = await DnsExchange.AskAsync(resolver, DnsName.Parse(name), type, true, false, TimeSpan.FromSeconds(10), CancellationToken.None)
                ?? throw new TimeoutException($"{resolver} did not answer {name} {type}");
            var m = result.Message;
            lines.Add($"{name} {type}: {m.Rcode} " + string.Join(" | ", m.Answers.Select(r => $"{r.Owner.ToString().ToLowerInvariant()} {r.Type} {r.Data.Format(r.Type)}").Order()));
        }

        return [.. lines];
    }

    private static ResolverDoor OpenResolver(DnsHierarchy hierarchy)
    {
        var door = ResolverDoor.Bind(new IPEndPoint(hierarchy.Address(1), 0), WelcomeDoorOptions.Default, hierarchy.Hints,
            ResolverOptions.Default with { UpstreamPort = hierarchy.Port }, DnsOptions.Default, NullLogger.Instance);
        door.Start();
        return door;
    }

    [Fact]
    public async Task UnboundOverDoorwayAndDoorwayOverNsdAgreeWithDoorwayOverDoorway()
    {
        string[] doorwayOverDoorway;
        string[] unboundOverDoorway;
        await using (var hierarchy = DnsHierarchy.Create())
        {
            hierarchy.StartDoorway();
            await using (var resolver = OpenResolver(hierarchy))
            {
                doorwayOverDoorway = await AnswersAsync(resolver.LocalEndPoint);
            }

            await using var unbound = await StartUnboundAsync(hierarchy);
            unboundOverDoorway = await AnswersAsync(new IPEndPoint(hierarchy.Address(5), hierarchy.Port));
        }

        string[] doorwayOverNsd;
        await using (var hierarchy = DnsHierarchy.Create())
        {
            await hierarchy.StartNsdAsync();
            await using var resolver = OpenResolver(hierarchy);
            doorwayOverNsd = await AnswersAsync(resolver.LocalEndPoint);
        }

        // The answers are the zone's, not only each other's.
        Assert.Contains("files.example.test. A: NoError files.example.test. CNAME ftp.example.test. | ftp.example.test. CNAME www.example.test. | www.example.test. A 192.0.2.80", doorwayOverDoorway);
        Assert.Contains("missing.example.test. A: NxDomain ", doorwayOverDoorway);
        Assert.Contains("mail.example.test. AAAA: NoError ", doorwayOverDoorway);
        Assert.Equal(doorwayOverDoorway, unboundOverDoorway);
        Assert.Equal(doorwayOverDoorway, doorwayOverNsd);
    }

    /// <summary>Unbound on .5 of the hierarchy, iterating over its three servers (stub zones, since Unbound asks glue addresses on port 53 only).</summary>
    private static async Task<RunningProcess> StartUnboundAsync(DnsHierarchy hierarchy)
    {
        string d = hierarchy.Directory;
        string conf = Path.Combine(d, "unbound.conf");
        await File.WriteAllTextAsync(conf, $"""
            server:
              interface: {hierarchy.Prefix}5
              port: {hierarchy.Port}
              do-not-query-localhost: no
              access-control: 127.0.0.0/8 allow
              username: ""
              chroot: ""
              directory: "{d}"
              pidfile: "{d}/unbound.pid"
              use-syslog: no
              logfile: ""
              do-ip6: no
              num-threads: 1
              so-reuseport: no
              module-config: "iterator"
              qname-minimisation: no
              # RFC 6761 reserves test.; Unbound answers it locally unless told not to.
              local-zone: "test." nodefault
            remote-control:
              control-enable: no
            stub-zone:
              name: "."
              stub-addr: {hierarchy.Prefix}2@{hierarchy.Port}
            stub-zone:
              name: "test."
              stub-addr: {hierarchy.Prefix}3@{hierarchy.Port}
            stub-zone:
              name: "example.test."
              stub-addr: {hierarchy.Prefix}4@{hierarchy.Port}

            """);
        var unbound = RunningProcess.Start("unbound", ["-d", "-c", conf]);
        var endPoint = new IPEndPoint(hierarchy.Address(5), hierarchy.Port);
        await Deadline.UntilAsync(async () => (await DnsExchange.AskAsync(endPoint, DnsName.Parse("example.test."), DnsType.SOA, true, false, TimeSpan.FromMilliseconds(300), CancellationToken.None)) is { Message.Rcode: DnsRcode.NoError },
            $"Unbound to answer: {unbound.Stderr}");
        return unbound;
    }
}
