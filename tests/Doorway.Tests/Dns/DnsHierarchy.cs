using System.Net;
using System.Net.Sockets;
using Doorway.Dns;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Dns;

/// <summary>
/// The book's hierarchy for one test: the shipped zones with their addresses moved to a loopback
/// /24 of the test's own (127.53.N.2 root, .3 TLD, .4 authoritative), all on one free port, served
/// by Doorway's authoritative doors in this process or by NSD processes.
/// </summary>
internal sealed class DnsHierarchy : IAsyncDisposable
{
    private static int s_next = Random.Shared.Next(0, 200);

    private readonly List<IAsyncDisposable> _servers = [];

    private DnsHierarchy(string directory, string prefix, int port)
    {
        Directory = directory;
        Prefix = prefix;
        Port = port;
    }

    public string Directory { get; }

    /// <summary>"127.53.N."</summary>
    public string Prefix { get; }

    public int Port { get; }

    public string HintsFile => Path.Combine(Directory, "hints.zone");

    public RootHints Hints => RootHints.Load(HintsFile);

    public IPAddress Address(int host) => IPAddress.Parse(Prefix + host);

    public static DnsHierarchy Create()
    {
        string prefix = $"127.53.{(Interlocked.Increment(ref s_next) % 250) + 1}.";
        string directory = System.IO.Directory.CreateTempSubdirectory("doorway-hierarchy-").FullName;
        foreach (string file in (string[])["root.zone", "test.zone", "example.test.zone", "hints.zone"])
        {
            string text = File.ReadAllText(Path.Combine(Repo.Root, "examples", "dns", file));
            File.WriteAllText(Path.Combine(directory, file), text.Replace("127.0.0.", prefix, StringComparison.Ordinal));
        }

        return new DnsHierarchy(directory, prefix, FreePort(prefix));
    }

    /// <summary>A port free for UDP and TCP on the hierarchy's addresses .1 to .5.</summary>
    public static int FreePort(string prefix)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int port = Random.Shared.Next(20_000, 60_000);
            var held = new List<Socket>();
            try
            {
                for (int host = 1; host <= 5; host++)
                {
                    foreach (var type in (SocketType[])[SocketType.Dgram, SocketType.Stream])
                    {
                        var socket = new Socket(AddressFamily.InterNetwork, type, type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp);
                        held.Add(socket);
                        socket.Bind(new IPEndPoint(IPAddress.Parse(prefix + host), port));
                    }
                }

                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                held.ForEach(s => s.Dispose());
            }
        }

        throw new InvalidOperationException("no free port for the hierarchy");
    }

    /// <summary>Doorway's authoritative doors, in this process.</summary>
    public void StartDoorway()
    {
        foreach (var (host, file) in Zones)
        {
            var zone = ZoneFileParser.Load(Path.Combine(Directory, file));
            var endPoint = new IPEndPoint(Address(host), Port);
            var door = DnsDoor.BindAuthority(UdpDoorOptions.Default with { EndPoint = endPoint, Receivers = 2 }, WelcomeDoorOptions.Default with { EndPoint = endPoint },
                new DnsAuthority([zone]), DnsOptions.Default, NullLogger.Instance);
            door.Start();
            _servers.Add(door);
        }
    }

    /// <summary>NSD (NLnet Labs) serving the same zone files, one process per server, each with its own config in the test's directory.</summary>
    public async Task StartNsdAsync()
    {
        foreach (var (host, file) in Zones)
        {
            string name = file == "root.zone" ? "." : file[..^".zone".Length] + ".";
            string conf = Path.Combine(Directory, $"nsd{host}.conf");
            await File.WriteAllTextAsync(conf, $"""
                server:
                  ip-address: {Prefix}{host}@{Port}
                  zonesdir: "{Directory}"
                  pidfile: "{Directory}/nsd{host}.pid"
                  database: ""
                  zonelistfile: "{Directory}/zone{host}.list"
                  xfrdfile: "{Directory}/xfrd{host}.state"
                  xfrdir: "{Directory}"
                  username: ""
                  chroot: ""
                  server-count: 1
                  verbosity: 1
                remote-control:
                  control-enable: no
                zone:
                  name: "{name}"
                  zonefile: "{file}"

                """);
            var nsd = RunningProcess.Start("nsd", ["-d", "-c", conf]);
            _servers.Add(nsd);
            var endPoint = new IPEndPoint(Address(host), Port);
            var origin = DnsName.Parse(name);
            await Deadline.UntilAsync(async () => (await DnsExchange.AskAsync(endPoint, origin, DnsType.SOA, false, false, TimeSpan.FromMilliseconds(200), CancellationToken.None)) is { Message.Rcode: DnsRcode.NoError },
                $"NSD on {endPoint} to answer for {name}: {nsd.Stderr}");
        }
    }

    private static (int Host, string File)[] Zones => [(2, "root.zone"), (3, "test.zone"), (4, "example.test.zone")];

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
