using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Doorway.Capitalize;
using Doorway.Files;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary><c>doorway serve</c>: opens every door that is not turned off and serves until Ctrl-C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var tcp = CommonOptions.DoorPort("--tcp", 12000, "TCP capitalize");
        var udp = CommonOptions.DoorPort("--udp", 12000, "UDP capitalize");
        var bind = new Option<IPAddress?>("--bind")
        {
            Description = "Address the doors listen on. Default: all interfaces, IPv4 and IPv6.",
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
        var once = new Option<bool>("--once")
        {
            Description = "The book's exact TCP behaviour: one read (at most 1024 bytes), one reply, close.",
        };
        var maxConnections = CommonOptions.Count("--max-connections", WelcomeDoorOptions.Default.MaxConnections, 1,
            "Connections served at once per TCP door; the next client is closed at once.");
        var idleTimeout = CommonOptions.Seconds("--idle-timeout", WelcomeDoorOptions.Default.IdleTimeout.TotalSeconds,
            "Seconds a connection may send and receive nothing before it is closed.");
        var drainTimeout = CommonOptions.Seconds("--drain-timeout", WelcomeDoorOptions.Default.DrainTimeout.TotalSeconds,
            "On Ctrl-C or SIGTERM, seconds open connections (and datagrams being answered) get to finish before they are closed.");
        var udpReceivers = CommonOptions.Count("--udp-receivers", UdpDoorOptions.Default.Receivers, 1,
            "Datagrams the UDP door receives and answers at once (one thread each).");
        var logLevel = CommonOptions.LogLevel();
        var files = new FileDoorFlags();

        var command = new Command("serve",
            "Open the doors and serve until Ctrl-C or SIGTERM. Prints 'ready <door> <address>:<port>' on stdout once each door accepts or receives; logs go to stderr.")
        {
            tcp, udp, bind, once, maxConnections, idleTimeout, drainTimeout, udpReceivers, logLevel,
        };
        foreach (var option in files.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async parse =>
        {
            SocketEngine.PreferInlineCompletions();
            using var loggerFactory = CliLogging.Create(parse.GetValue(logLevel));
            var address = parse.GetValue(bind);
            var tcpOptions = WelcomeDoorOptions.Default with
            {
                MaxConnections = parse.GetValue(maxConnections),
                IdleTimeout = parse.GetValue(idleTimeout),
                DrainTimeout = parse.GetValue(drainTimeout),
            };

            var plans = new List<DoorPlan>();
            if (parse.GetValue(tcp).Port is int tcpPort)
            {
                var handler = new CapitalizeConnectionHandler(CapitalizeOptions.Default with { Once = parse.GetValue(once) });
                plans.Add(new DoorPlan("tcp", tcpPort, ep => WelcomeDoor.Bind(
                    "tcp", tcpOptions with { EndPoint = ep }, handler, loggerFactory.CreateLogger("Doorway.Tcp"))));
            }

            if (parse.GetValue(files.Port).Port is int filesPort)
            {
                FileConnectionHandler handler;
                try
                {
                    handler = files.CreateHandler(parse, loggerFactory);
                }
                catch (DirectoryNotFoundException e)
                {
                    return CommandLine.Fail($"--root: {e.Message}");
                }

                plans.Add(new DoorPlan("files", filesPort, ep => FileDoorFlags.Bind(handler, tcpOptions, ep, loggerFactory)));
            }

            if (parse.GetValue(udp).Port is int udpPort)
            {
                var udpOptions = UdpDoorOptions.Default with
                {
                    Receivers = parse.GetValue(udpReceivers),
                    DrainTimeout = parse.GetValue(drainTimeout),
                };
                var handler = new UdpCapitalizeHandler();
                plans.Add(new DoorPlan("udp", udpPort, ep => UdpDoor.Bind(
                    "udp", udpOptions with { EndPoint = ep }, handler, loggerFactory.CreateLogger("Doorway.Udp"))));
            }

            return await ServeAsync(plans, address);
        });
        return command;
    }

    /// <summary>A door to open: its name, its port, and how to bind it to an endpoint.</summary>
    private sealed record DoorPlan(string Name, int Port, Func<IPEndPoint, IDoor> Bind);

    private static async Task<int> ServeAsync(List<DoorPlan> plans, IPAddress? address)
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

            foreach (var door in doors)
            {
                door.Start();
                await Console.Out.WriteLineAsync($"ready {door.Name} {door.LocalEndPoint}");
            }

            try
            {
                await Task.Delay(Timeout.Infinite, shutdown.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await Task.WhenAll(doors.Select(door => door.StopAsync()));
            return ExitCodes.Success;
        }
        finally
        {
            foreach (var door in doors)
            {
                await door.DisposeAsync();
            }
        }
    }

    // One dual-mode IPv6 socket takes IPv4 too; a machine without IPv6 gets IPv4 only.
    private static IPAddress AllInterfaces() => Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
}
