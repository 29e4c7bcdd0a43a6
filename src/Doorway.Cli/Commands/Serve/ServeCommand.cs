using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary><c>doorway serve</c>: opens every door that is not turned off and serves until Ctrl-C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        // Each door brings its own flags and setup; serve only loops over them (ready lines in this order).
        IDoorFlags[] doors = [new CapitalizeDoorFlags(), new FileDoorFlags(), new UdpDoorFlags(), new ReplyDoorFlags(), new CacheDoorFlags(), new DnsDoorFlags(), new ResolverDoorFlags(), new MetricsDoorFlags()];
        // Middleware every TCP door gets, in this order (issue 12).
        var proxyProtocol = new ProxyProtocolFlags();
        var bind = new Option<IPAddress?>("--bind")
        {
            Description = "Address the doors listen on. [default: all interfaces, IPv4 and IPv6]",
            HelpName = "ADDR",
            CustomParser = result =>
            {
                string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (token.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                {
                    return IPAddress.Loopback;
                }

                if (IPAddress.TryParse(token.Trim('[', ']'), out var address))
                {
                    return address;
                }

                result.AddError($"--bind takes an IP address (for example 127.0.0.1 or ::1), not '{token}'.");
                return null;
            },
        };
        var maxConnections = CommonOptions.Count("--max-connections", WelcomeDoorOptions.Default.MaxConnections, 1,
            "Connections served at once per TCP door; the next client is refused (an HTTP client gets 503).");
        var maxPerAddress = CommonOptions.Count("--max-connections-per-ip", WelcomeDoorOptions.Default.MaxConnectionsPerAddress, 1,
            "Connections served at once per TCP door from one client address (loopback clients are not counted).");
        var idleTimeout = CommonOptions.Seconds("--idle-timeout", WelcomeDoorOptions.Default.IdleTimeout.TotalSeconds,
            "Seconds a connection may move no bytes either way before it is closed.");
        var minDataRate = CommonOptions.Count("--min-data-rate", (int)WelcomeDoorOptions.Default.MinDataRate, 0,
            "Least bytes per second a client must read what is sent to it (after a 5 s grace); slower is closed. 0: no minimum.");
        var drainTimeout = CommonOptions.Seconds("--drain-timeout", WelcomeDoorOptions.Default.DrainTimeout.TotalSeconds,
            "On Ctrl-C or SIGTERM, seconds open connections (and datagrams being answered) get to finish before they are closed.");
        var drainDelay = CommonOptions.SecondsOrZero("--drain-delay", 0,
            "On the first Ctrl-C or SIGTERM, seconds the doors keep accepting while /healthz answers 503 and every HTTP answer closes its connection, "
            + "so a load balancer's health check takes this server out of rotation before its doors close; then the drain. 0: close at once.");
        var tls = new TlsFlags();
        var transport = TransportFlags.CreateTransport();
        var transportLoops = TransportFlags.CreateLoops();
        var logLevel = CommonOptions.LogLevel();
        var logFormat = CommonOptions.LogFormat();

        var command = new Command("serve",
            "Open the doors and serve until Ctrl-C or SIGTERM (a second one stops at once). Prints 'ready <door> <address>:<port>' on stdout once each door accepts or receives; logs go to stderr.\n\n" +
            "Examples:\n" +
            "  doorway serve --root www                                     every door: TCP and UDP 12000, http://localhost:8080/\n" +
            "  doorway serve --files off --udp off --once                   the book's TCP server, exactly\n" +
            "  doorway serve --tcp 0 --udp off --files 0 --bind 127.0.0.1   free ports, loopback only");
        foreach (var option in doors.SelectMany(door => door.Options).Concat(proxyProtocol.Options).Concat([bind, maxConnections, maxPerAddress, idleTimeout, minDataRate, drainTimeout, drainDelay, transport, transportLoops]).Concat(tls.Options).Concat([logLevel, logFormat]))
        {
            command.Options.Add(option);
        }

        command.SetAction(async parse =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(logLevel), parse.GetValue(logFormat) ?? CliLogging.Text);
            using var house = new House();
            var middleware = new DoorPipeline();
            proxyProtocol.Use(middleware, parse, loggerFactory);
            var tcp = WelcomeDoorOptions.Default with
            {
                MaxConnections = parse.GetValue(maxConnections),
                MaxConnectionsPerAddress = parse.GetValue(maxPerAddress),
                IdleTimeout = parse.GetValue(idleTimeout),
                MinDataRate = parse.GetValue(minDataRate),
                DrainTimeout = parse.GetValue(drainTimeout),
                Pipeline = middleware,
            };
            // Before the first socket: .NET's engine reads its layout when the first one registers.
            tcp = TransportFlags.Apply(tcp, parse.GetValue(transport), parse.GetValue(transportLoops));
            var context = new ServeContext(loggerFactory, house, tcp, parse.GetValue(drainTimeout));
            var plans = new List<DoorPlan>();
            try
            {
                // Every TCP door gets the same TLS through the options they all start from.
                context = context with { Tcp = tcp with { Tls = tls.Build(parse, Console.Out) } };
                foreach (var door in doors)
                {
                    if (door.Plan(parse, context) is { } plan)
                    {
                        plans.Add(plan);
                    }
                }
            }
            catch (DoorSetupException e)
            {
                return CommandLine.Fail(e.Message);
            }

            return await ServeAsync(plans, parse.GetValue(bind), context, parse.GetValue(drainDelay));
        });
        return command;
    }

    private static async Task<int> ServeAsync(List<DoorPlan> plans, IPAddress? address, ServeContext context, TimeSpan drainDelay)
    {
        if (plans.Count == 0)
        {
            await Console.Error.WriteLineAsync("doorway: every door is off; nothing to serve.");
            return ExitCodes.Usage;
        }

        using var shutdown = new Shutdown();
        var doors = new List<IDoor>();
        try
        {
            foreach (var plan in plans)
            {
                var endPoint = new IPEndPoint(address ?? AllInterfaces(), plan.Port);
                try
                {
                    doors.Add(plan.Bind(endPoint));
                }
                catch (SocketException e)
                {
                    return CommandLine.Fail($"cannot open the {plan.Name} door on {endPoint}: {NetworkErrors.Describe(e)}");
                }
            }

            var logger = context.Loggers.CreateLogger("Doorway.Serve");
            for (int i = 0; i < doors.Count; i++)
            {
                var door = doors[i];
                door.Start();
                await Console.Out.WriteLineAsync($"ready {door.Name} {door.LocalEndPoint}");
                Announce(logger, plans[i], door.LocalEndPoint);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, shutdown.Token);
            }
            catch (OperationCanceledException)
            {
            }

            context.House.BeginDraining();
            if (drainDelay > TimeSpan.Zero)
            {
                // The doors still accept; /healthz says 503, so a balancer stops sending clients here.
                CliLog.DrainDelay(logger, drainDelay.TotalSeconds);
                try
                {
                    await Task.Delay(drainDelay, shutdown.Now);
                }
                catch (OperationCanceledException)
                {
                }
            }

            CliLog.Stopping(logger, context.DrainTimeout.TotalSeconds);
            // A second Ctrl-C cuts the drain short: every door closes its connections now.
            using var now = shutdown.Now.Register(() => CliLog.StoppingNow(logger));
            await Task.WhenAll(doors.Select(door => door.StopAsync(shutdown.Now)));
            return shutdown.Now.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Success;
        }
        finally
        {
            foreach (var door in doors)
            {
                await door.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The door's start-up line, with an address to paste or click: a door on every interface is
    /// reached from this machine as localhost ("[::]:8080" is where it listens, not where to go).
    /// </summary>
    private static void Announce(ILogger logger, DoorPlan plan, IPEndPoint bound)
    {
        var address = bound.Address;
        bool everywhere = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        string hostPort = everywhere ? $"localhost:{bound.Port}" : bound.ToString();
        string url = (plan.Url ?? (where => where))(hostPort) + (everywhere ? " (all interfaces)" : "");
        CliLog.DoorOpen(logger, plan.Name, url, plan.Details);
    }

    // One dual-mode IPv6 socket takes IPv4 too; a machine without IPv6 gets IPv4 only.
    private static IPAddress AllInterfaces() => Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
}
