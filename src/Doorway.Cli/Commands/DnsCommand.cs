using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Dns;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>doorway dns NAME [TYPE]</c>: one question to a DNS server, the reply printed as dig prints
/// it; <c>--trace</c> walks the delegations from the root down as <c>dig +trace</c> does. Exit 1
/// on SERVFAIL or no answer, with one line naming the server.
/// </summary>
internal static class DnsCommand
{
    /// <summary>Delegations a trace follows before it gives up (a loop of referrals must end).</summary>
    private const int MaxTraceSteps = 16;

    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The name to ask about (www.example.test)." };
        var type = new Argument<string>("TYPE") { Description = "The record type: A AAAA NS CNAME MX TXT SOA PTR SRV CAA ANY, or TYPEnnn.", DefaultValueFactory = _ => "A" };
        var server = CommonOptions.Server(53, "The DNS server to ask (a resolver for recursion, or an authoritative server).");
        var tcp = new Option<bool>("--tcp") { Description = "Ask over TCP instead of UDP." };
        var trace = new Option<bool>("--trace")
        {
            Description = "Follow the delegation from the root down, asking each server in turn without recursion, and print each step. The servers are asked on --server's port.",
        };
        var hints = new Option<string?>("--root-hints")
        {
            Description = "With --trace: start from the root servers in this file (zone format) instead of asking --server for them.",
            HelpName = "FILE",
        };
        var timeout = CommonOptions.Seconds("--timeout", 5, "Seconds to wait for each reply.");
        var norec = new Option<bool>("--norec") { Description = "Do not ask for recursion (clear RD), as dig +norec." };
        var command = new Command("dns", "Ask a DNS server one question and print the reply as dig does.\n\n" +
            "Examples:\n  doorway dns www.example.test --server 127.0.0.1:5353\n  doorway dns example.test MX --server 127.0.0.4:53 --tcp\n  doorway dns www.example.test --trace --server 127.0.0.1:53")
        {
            name, type, server, tcp, trace, hints, timeout, norec,
        };
        command.SetAction(async parse =>
        {
            using var shutdown = new Shutdown();
            if (!DnsName.TryParse(EnsureDot(parse.GetValue(name)!), null, out var qname, out string error))
            {
                return CommandLine.UsageError($"NAME: {error}");
            }

            if (!DnsRecord.TryParseType(parse.GetValue(type)!, out var qtype))
            {
                return CommandLine.UsageError($"TYPE: '{parse.GetValue(type)}' is not a record type (A, AAAA, MX, ... or TYPEnnn).");
            }

            var target = parse.GetValue(server);
            IPEndPoint endPoint;
            try
            {
                var addresses = await target.ResolveAsync(shutdown.Token);
                endPoint = new IPEndPoint(addresses[0], target.Port);
            }
            catch (SocketException e)
            {
                return CommandLine.Fail($"cannot find the server {target.Host}: {NetworkErrors.Describe(e)}");
            }

            TimeSpan wait = parse.GetValue(timeout);
            string line = $"{qname} {DnsRecord.TypeName(qtype)} @{target}";
            try
            {
                return parse.GetValue(trace)
                    ? await TraceAsync(qname, qtype, endPoint, parse.GetValue(hints), parse.GetValue(tcp), wait, shutdown.Token)
                    : await AskOnceAsync(qname, qtype, endPoint, !parse.GetValue(norec), parse.GetValue(tcp), wait, line, shutdown.Token);
            }
            catch (OperationCanceledException) when (shutdown.Requested)
            {
                return CommandLine.Interrupted();
            }
            catch (ZoneFileException e)
            {
                return CommandLine.Fail($"root hints refused: {e.Message}");
            }
        });
        return command;
    }

    private static string EnsureDot(string name) => name.EndsWith('.') ? name : name + ".";

    private static async Task<int> AskOnceAsync(DnsName name, DnsType type, IPEndPoint server, bool recursion, bool tcp, TimeSpan timeout, string line, CancellationToken cancellationToken)
    {
        DnsExchange.Result? result;
        try
        {
            result = await DnsExchange.AskAsync(server, name, type, recursion, tcp, timeout, cancellationToken);
        }
        catch (SocketException e)
        {
            return CommandLine.Fail($"{Where(server)}: {NetworkErrors.Describe(e)}");
        }

        if (result is null)
        {
            return CommandLine.Fail($"no answer from {Where(server)} within {CommandLine.Seconds(timeout)}");
        }

        Console.Write(DnsOutput.Format(result, line));
        if (result.Message.Rcode == DnsRcode.ServFail)
        {
            return CommandLine.Fail($"{Where(server)} answered SERVFAIL for {name} {DnsRecord.TypeName(type)}");
        }

        return ExitCodes.Success;
    }

    /// <summary>dig +trace: the root servers, then each referral's servers, asked without recursion until one answers.</summary>
    private static async Task<int> TraceAsync(DnsName name, DnsType type, IPEndPoint resolver, string? hintsFile, bool tcp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int port = resolver.Port;
        List<(DnsName Server, IPAddress Address)> servers;
        if (hintsFile is not null)
        {
            var hints = RootHints.Load(hintsFile);
            servers = [.. hints.Addresses];
            Console.WriteLine($";; root servers from {hintsFile}");
            foreach (var (server, address) in servers)
            {
                Console.WriteLine($".\t\t\tIN\tNS\t{server}\t; {address}");
            }
        }
        else
        {
            var roots = await DnsExchange.AskAsync(resolver, DnsName.Root, DnsType.NS, true, tcp, timeout, cancellationToken);
            if (roots is null || roots.Message.Rcode != DnsRcode.NoError)
            {
                return CommandLine.Fail($"{Where(resolver)} {(roots is null ? "did not answer" : "answered " + DnsOutput.Rcode(roots.Message.Rcode))} for the root servers (. NS)");
            }

            PrintStep(roots.Message.Answers, roots);
            servers = await AddressesAsync(roots.Message, roots.Message.Answers, resolver, tcp, timeout, cancellationToken);
        }

        for (int step = 0; step < MaxTraceSteps; step++)
        {
            DnsExchange.Result? reply = null;
            DnsName? asked = null;
            foreach (var (server, address) in servers)
            {
                reply = await DnsExchange.AskAsync(new IPEndPoint(address, port), name, type, false, tcp, timeout, cancellationToken);
                if (reply is not null)
                {
                    asked = server;
                    break;
                }

                Console.WriteLine($";; no answer from {address}#{port}({server}) within {CommandLine.Seconds(timeout)}");
            }

            if (reply is null)
            {
                return CommandLine.Fail($"no server of this step answered ({string.Join(", ", servers.Select(s => $"{s.Address}#{port}"))})");
            }

            var m = reply.Message;
            var shown = m.Answers.Count > 0 ? m.Answers : m.Authority;
            PrintStep(shown, reply, asked);
            if (m.Rcode == DnsRcode.ServFail)
            {
                return CommandLine.Fail($"{Where(reply.Server)} answered SERVFAIL for {name} {DnsRecord.TypeName(type)}");
            }

            var referral = m.Authority.Where(r => r.Type == DnsType.NS).ToList();
            if (m.Rcode != DnsRcode.NoError || m.Answers.Count > 0 || m.Authoritative || referral.Count == 0)
            {
                Console.WriteLine($";; {DnsOutput.Rcode(m.Rcode)}{(m.Answers.Count == 0 && m.Rcode == DnsRcode.NoError ? " (no data)" : "")} from the authoritative server");
                return ExitCodes.Success;
            }

            servers = await AddressesAsync(m, referral, resolver, tcp, timeout, cancellationToken);
            if (servers.Count == 0)
            {
                return CommandLine.Fail($"no address for the servers of {referral[0].Owner} ({string.Join(", ", referral.Select(r => r.Data.Names[0]))})");
            }
        }

        return CommandLine.Fail($"more than {MaxTraceSteps} referrals for {name}: a delegation loop?");
    }

    /// <summary>The servers' addresses: the glue in the reply, else asked of the resolver.</summary>
    private static async Task<List<(DnsName, IPAddress)>> AddressesAsync(DnsMessage reply, List<DnsRecord> nameServers, IPEndPoint resolver, bool tcp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var servers = new List<(DnsName, IPAddress)>();
        foreach (var ns in nameServers.Where(r => r.Type == DnsType.NS))
        {
            var target = ns.Data.Names[0];
            var glue = reply.Additional.Where(r => r.Owner.Equals(target) && r.Type == DnsType.A).ToList();
            if (glue.Count == 0)
            {
                var asked = await DnsExchange.AskAsync(resolver, target, DnsType.A, true, tcp, timeout, cancellationToken);
                glue = asked?.Message.Answers.Where(r => r.Type == DnsType.A).ToList() ?? [];
            }

            servers.AddRange(glue.Select(a => (target, new IPAddress(a.Data.Prefix))));
        }

        return servers;
    }

    private static void PrintStep(List<DnsRecord> records, DnsExchange.Result reply, DnsName? server = null)
    {
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.AppendLine(record.ToString());
        }

        string who = server is null ? reply.Server.Address.ToString() : server.ToString().TrimEnd('.');
        text.Append(CultureInfo.InvariantCulture, $";; Received {reply.Message.Length} bytes from {reply.Server.Address}#{reply.Server.Port}({who}) in {(int)reply.Elapsed.TotalMilliseconds} ms");
        Console.WriteLine(text.AppendLine().ToString());
    }

    private static string Where(IPEndPoint server) => $"{server.Address}#{server.Port}";
}
