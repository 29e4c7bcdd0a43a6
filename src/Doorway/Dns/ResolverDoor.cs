using System.Net;
using System.Net.Sockets;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Dns;

/// <summary>
/// The recursive resolver's door: UDP and TCP on one port. Over UDP each query is resolved in its
/// own task, at most <see cref="ResolverOptions.MaxConcurrentQueries"/> at once (past it, SERVFAIL
/// at once: the door's memory stays bounded); every task is awaited on stop. Over TCP the
/// authoritative door's connection handler serves, with the resolver behind it.
/// </summary>
public sealed partial class ResolverDoor : IDoor
{
    private readonly Socket _udp;
    private readonly WelcomeDoor _tcp;
    private readonly ResolverResponder _responder;
    private readonly ResolverOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private Task? _loop;
    private int _stopped;

    private ResolverDoor(Socket udp, WelcomeDoor tcp, ResolverResponder responder, ResolverOptions options, ILogger logger)
    {
        _udp = udp;
        _tcp = tcp;
        _responder = responder;
        _options = options;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxConcurrentQueries);
        LocalEndPoint = Connection.Normalize(udp.LocalEndPoint);
    }

    public string Name => "resolver";

    public IPEndPoint LocalEndPoint { get; }

    public DnsResolver Resolver { get; private init; } = null!;

    public ResolverResponder Responder => _responder;

    public static ResolverDoor Bind(IPEndPoint endPoint, WelcomeDoorOptions tcp, RootHints hints, ResolverOptions options, DnsOptions dns, ILogger logger, House? house = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(tcp);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dns);
        var resolver = new DnsResolver(hints, options, logger);
        var responder = new ResolverResponder(resolver, options);
        var handler = new DnsConnectionHandler((query, reply, ct) => responder.AnswerAsync(IPAddress.Loopback, query, reply, overTcp: true, ct), dns);
        var tcpOptions = tcp with { Dispatch = DoorDispatch.ThreadPool, IdleTimeout = dns.TcpIdleTimeout, AcceptLogLevel = LogLevel.Debug };
        for (int attempt = 1; ; attempt++)
        {
            var udp = DoorSocket.Bind(endPoint, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                var welcome = WelcomeDoor.Bind("resolver", tcpOptions with { EndPoint = new IPEndPoint(endPoint.Address, port) }, null, AllowedOnly(responder, handler), logger, house);
                return new ResolverDoor(udp, welcome, responder, options, logger) { Resolver = resolver };
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && endPoint.Port == 0 && attempt < 20)
            {
                udp.Dispose();
            }
            catch
            {
                udp.Dispose();
                throw;
            }
        }
    }

    /// <summary>Over TCP the client's address is the connection's: one not allowed is closed before anything is read.</summary>
    private static ConnectionDelegate AllowedOnly(ResolverResponder responder, DnsConnectionHandler handler) => (connection, stopping) =>
        responder.Allows(connection.RemoteEndPoint.Address) ? handler.OnConnectedAsync(connection, stopping) : Task.CompletedTask;

    public void Start()
    {
        _tcp.Start();
        _loop = ReceiveLoopAsync();
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[65535];
        byte[] reply = new byte[65535];
        EndPoint any = new IPEndPoint(_udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize)
            {
                continue;
            }

            var client = (IPEndPoint)received.RemoteEndPoint;
            // A cached answer goes out from here, without a task or a copy of the query.
            int cached = _responder.TryAnswerFromCache(client.Address, buffer.AsSpan(0, received.ReceivedBytes), reply);
            if (cached >= 0)
            {
                try
                {
                    await _udp.SendToAsync(reply.AsMemory(0, cached), SocketFlags.None, client, _stopping.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The client is gone, or the door is stopping.
                }

                continue;
            }

            byte[] query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            if (!_slots.Wait(0))
            {
                // Too many queries being resolved: say so now rather than queue without bound.
                Reply(client, query, busy: true);
                continue;
            }

            // Not forgotten: the count of queries in flight is what StopAsync waits for.
            Interlocked.Increment(ref _inFlight);
            _ = AnswerAsync(client, query);
        }
    }

    private async Task AnswerAsync(IPEndPoint client, byte[] query)
    {
        byte[] reply = new byte[65535];
        try
        {
            int length = await _responder.AnswerAsync(client.Address, query, reply, overTcp: false, _stopping.Token);
            if (length >= 0)
            {
                await _udp.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping, or the client is gone: nothing to answer.
        }
        catch (Exception e)
        {
            LogFailed(_logger, e, client);
        }
        finally
        {
            _slots.Release();
            if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }
    }

    private void Reply(IPEndPoint client, byte[] query, bool busy)
    {
        byte[] reply = new byte[DnsFlags.ClassicUdpSize];
        int length = ResolverResponder.AnswerWith(query, reply, busy ? DnsRcode.ServFail : DnsRcode.Refused);
        if (length < 0)
        {
            return;
        }

        try
        {
            _udp.SendTo(reply.AsSpan(0, length), SocketFlags.None, client);
        }
        catch (SocketException)
        {
            // The client is gone.
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }

        // Every resolution sees the stop (its upstream waits are cancelled), so this is short.
        await _drained.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _udp.Dispose();
        await _tcp.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _tcp.DisposeAsync();
        _slots.Dispose();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 1410, Level = LogLevel.Warning, Message = "resolver: answering {Client} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, IPEndPoint client);
}
