using System.Net;
using System.Net.Sockets;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Dns;

/// <summary>
/// A DNS door: a UDP door and a welcome door on the same port number (RFC 7766 §5: TCP is part
/// of DNS, not a fallback one may leave out), started and stopped together.
/// </summary>
public sealed class DnsDoor : IDoor
{
    /// <summary>Tries at finding a port free for both when 0 (any) is asked for.</summary>
    private const int PortAttempts = 20;

    private readonly UdpDoor _udp;
    private readonly WelcomeDoor _tcp;

    private DnsDoor(string name, UdpDoor udp, WelcomeDoor tcp)
    {
        Name = name;
        _udp = udp;
        _tcp = tcp;
    }

    public string Name { get; }

    public IPEndPoint LocalEndPoint => _udp.LocalEndPoint;

    public UdpDoor Udp => _udp;

    public WelcomeDoor Tcp => _tcp;

    /// <summary>The authoritative door: <paramref name="authority"/>'s zones over UDP and TCP.</summary>
    public static DnsDoor BindAuthority(UdpDoorOptions udp, WelcomeDoorOptions tcp, DnsAuthority authority, DnsOptions options, ILogger logger, House? house = null)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(options);
        // Responses per second, counted by the UDP door's per-source token bucket at one unit a response.
        var limiter = ReplyBudget.Create("dns rate limit", UdpDoorOptions.Default with
        {
            ReplyBytesPerSecondPerSource = options.RateLimit,
            ReplyBurstBytesPerSource = Math.Max(options.RateLimit, 1),
            LimitLoopback = options.RateLimitLoopback,
            ReplyBudgetSources = options.RateLimitSources,
        }, logger);
        IDatagramHandler datagrams = limiter is null ? new DnsDatagramHandler(authority) : new RateLimitedDnsHandler(authority, limiter, options.RateLimitSlip);
        var tcpHandler = new DnsConnectionHandler((query, reply, _) => ValueTask.FromResult(authority.Answer(query.Span, reply.Span, overTcp: true)), options);
        return Bind("dns", udp, tcp, datagrams, tcpHandler, options, logger, house);
    }

    internal static DnsDoor Bind(string name, UdpDoorOptions udp, WelcomeDoorOptions tcp, IDatagramHandler datagrams, IConnectionHandler connections, DnsOptions options, ILogger logger, House? house)
    {
        ArgumentNullException.ThrowIfNull(udp);
        ArgumentNullException.ThrowIfNull(tcp);
        var tcpOptions = tcp with { Dispatch = DoorDispatch.Inline, IdleTimeout = options.TcpIdleTimeout, AcceptLogLevel = LogLevel.Debug };
        for (int attempt = 1; ; attempt++)
        {
            var udpDoor = UdpDoor.Bind(name, udp, datagrams, logger);
            try
            {
                var tcpDoor = WelcomeDoor.Bind(name, tcpOptions with { EndPoint = new IPEndPoint(udp.EndPoint.Address, udpDoor.LocalEndPoint.Port) }, connections, logger, house);
                return new DnsDoor(name, udpDoor, tcpDoor);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && udp.EndPoint.Port == 0 && attempt < PortAttempts)
            {
                // The kernel's free UDP port is taken for TCP: another one.
                udpDoor.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch
            {
                udpDoor.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }
    }

    public void Start()
    {
        _udp.Start();
        _tcp.Start();
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => Task.WhenAll(_udp.StopAsync(cancellationToken), _tcp.StopAsync(cancellationToken));

    public async ValueTask DisposeAsync()
    {
        await _udp.DisposeAsync();
        await _tcp.DisposeAsync();
    }
}
