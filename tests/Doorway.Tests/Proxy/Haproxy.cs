using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;

namespace Doorway.Tests.Proxy;

/// <summary>
/// A real HAProxy (Debian's) in front of the doors under test: its own config in a temp directory,
/// loopback ports, a stats page to see what its health checks think; stopped by its PID on dispose.
/// </summary>
internal sealed class Haproxy : IAsyncDisposable
{
    private static readonly HttpClient Stats = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly RunningProcess _process;
    private readonly string _directory;

    private Haproxy(RunningProcess process, string directory, int port, int statsPort, string config)
    {
        _process = process;
        _directory = directory;
        Port = port;
        StatsPort = statsPort;
        Config = config;
    }

    /// <summary>Where clients connect (the frontend).</summary>
    public int Port { get; }

    public int StatsPort { get; }

    public string Config { get; }

    public string Log => _process.Stderr + _process.Stdout;

    /// <summary>
    /// The config the tests use (docs/operations.md shows the same): HTTP mode, health checks on
    /// /healthz every 200 ms (each may take 2 s on a busy machine), a server out after two failed checks and back after two good ones,
    /// connection failures retried on the other server, and <c>?to=NAME</c> to pin a request to one server.
    /// </summary>
    public static string ConfigFor(int port, int statsPort, IEnumerable<(string Name, int Port)> servers, string serverOptions) =>
        $$"""
        global
          log stderr format raw local0 info
          # A port someone else holds fails HAProxy's start rather than being shared with it.
          noreuseport
        defaults
          mode http
          log global
          option httplog
          timeout connect 2s
          timeout client 30s
          timeout server 30s
          timeout check 2s
          retries 3
          option redispatch 1
          retry-on all-retryable-errors
        frontend web
          bind 127.0.0.1:{{port}}
          default_backend doors
        frontend stats
          bind 127.0.0.1:{{statsPort}}
          stats enable
          stats uri /stats
        backend doors
          balance roundrobin
          option httpchk GET /healthz
          http-check expect status 200
          default-server inter 200ms fall 2 rise 2 {{serverOptions}}
        {{string.Join("\n", servers.Select(s => $"  use-server {s.Name} if {{ urlp(to) -m str {s.Name} }}"))}}
        {{string.Join("\n", servers.Select(s => $"  server {s.Name} 127.0.0.1:{s.Port}"))}}

        """;

    public static async Task<Haproxy> StartAsync(IReadOnlyList<(string Name, int Port)> servers, string serverOptions)
    {
        string directory = Path.Combine(Path.GetTempPath(), "doorway-haproxy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        // Both held while the second is chosen: two free-port picks in a row can return the same port,
        // and HAProxy (SO_REUSEPORT by default) would then split the clients between its two frontends.
        var (port, statsPort) = TwoFreePorts();
        string config = ConfigFor(port, statsPort, servers, serverOptions);
        string path = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config);
        var process = RunningProcess.Start("haproxy", ["-f", path, "-db"], directory);
        var haproxy = new Haproxy(process, directory, port, statsPort, config);
        await Deadline.UntilAsync(async () => process.HasExited || await haproxy.CanConnectAsync(statsPort), "haproxy's stats port", TimeSpan.FromSeconds(15));
        Assert.False(process.HasExited, $"haproxy exited:\n{haproxy.Log}\n{config}");
        return haproxy;
    }

    /// <summary>Waits until HAProxy's health checks have <paramref name="server"/> in the given state (UP or DOWN).</summary>
    public Task WaitForAsync(string server, string status, TimeSpan? limit = null) =>
        Deadline.UntilAsync(async () => await StatusAsync(server) == status, $"haproxy to see {server} {status}", limit ?? TimeSpan.FromSeconds(15));

    public async Task<string?> StatusAsync(string server)
    {
        string csv;
        try
        {
            csv = await Stats.GetStringAsync($"http://127.0.0.1:{StatsPort}/stats;csv");
        }
        catch (HttpRequestException)
        {
            return null;
        }

        // # pxname,svname,qcur,...: the status is the 18th column.
        foreach (string line in csv.Split('\n'))
        {
            string[] columns = line.Split(',');
            if (columns.Length > 17 && columns[0] == "doors" && columns[1] == server)
            {
                return columns[17];
            }
        }

        return null;
    }

    private async Task<bool> CanConnectAsync(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int, int) TwoFreePorts()
    {
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        second.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (((IPEndPoint)first.LocalEndPoint!).Port, ((IPEndPoint)second.LocalEndPoint!).Port);
    }

    internal static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
