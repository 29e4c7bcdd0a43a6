using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Doorway.Transport.Epoll;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

/// <summary>
/// The welcome door: a listening TCP socket and its accept loop. Each knock gets its own
/// <see cref="Connection"/>, passed through the door's pipeline (middleware, then the handler)
/// and served concurrently. The door enforces the connection limits, drives every connection's
/// timeouts from one heartbeat, registers its connections with the house, and drains on shutdown.
/// </summary>
public sealed partial class WelcomeDoor : IDoor, IConnectionSource
{
    private readonly Socket? _listener;
    private readonly EpollListeners? _epoll;
    private readonly ConnectionDelegate _app;
    private readonly ConnectionDelegate? _refuse;
    private readonly ConnectionDelegate? _refuseAtAccept;
    private readonly WelcomeDoorOptions _options;
    private readonly TimeoutPolicy _policy;
    private readonly ILogger _logger;
    private readonly House _house;
    private readonly bool _ownsHouse;
    private readonly ConcurrentDictionary<long, DoorConnection> _connections = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _refusalsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RefusalLog _refusalLog;
    private long _nextId;
    private int _active;
    private int _refusing;
    private int _draining;
    private long _closedReceived;
    private long _closedSent;
    private Task? _acceptLoop;
    private Task? _heartbeat;
    private int _stopped;

    private WelcomeDoor(string name, Socket? listener, EpollListeners? epoll, DoorPipeline? pipeline, ConnectionDelegate handler, ConnectionDelegate? refuse, WelcomeDoorOptions options, ILogger logger, House house, bool ownsHouse)
    {
        Name = name;
        _listener = listener;
        _epoll = epoll;
        // The options' middleware (PROXY protocol, TLS) first, then the door's own; the per-address
        // limit and the accept log only once every middleware has had its say on the client's address.
        // TLS comes after the options' middleware (a PROXY header comes before the ClientHello).
        var outer = options.Pipeline ?? new DoorPipeline();
        var inner = LimitPerAddress(AcceptLog.Middleware(logger, options.AcceptLogLevel)(handler));
        inner = (pipeline ?? new DoorPipeline()).Build(inner);
        if (options.Tls is { } tls)
        {
            inner = TlsMiddleware.Create(tls, logger, house.Meter)(inner);
        }

        _app = outer.Build(inner);
        _refuse = refuse;
        // A client refused at accept gets its answer through the same middleware (a PROXY header is read first).
        _refuseAtAccept = refuse is null ? null : outer.Build(refuse);
        _options = options;
        _policy = TimeoutPolicy.From(options);
        _logger = logger;
        _ownsHouse = ownsHouse;
        _house = house;
        _refusalLog = new RefusalLog(logger, name);
        LocalEndPoint = epoll?.LocalEndPoint ?? Connection.Normalize(listener!.LocalEndPoint);
    }

    /// <summary>The door's name in logs and in its ready line ("tcp", "files").</summary>
    public string Name { get; }

    /// <summary>The bound address and the real port (when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The transport the door runs on.</summary>
    public TcpTransport Transport => _epoll is null ? TcpTransport.Sockets : TcpTransport.Epoll;

    /// <summary>The epoll transport's loops (0 on the sockets transport).</summary>
    internal int TransportLoops => _epoll?.Loops ?? 0;

    /// <summary>Connections being served now.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    IEnumerable<ConnectionInfo> IConnectionSource.Connections => _connections.Values.Select(c => c.Info);

    long IConnectionSource.BytesReceived => Interlocked.Read(ref _closedReceived) + _connections.Values.Sum(c => c.Info.BytesReceived);

    long IConnectionSource.BytesSent => Interlocked.Read(ref _closedSent) + _connections.Values.Sum(c => c.Info.BytesSent);

    /// <summary>For tests: runs on every accepted socket (given its client's address) before it is admitted; a throw is an admission failure.</summary>
    internal Action<IPEndPoint>? AdmissionProbe { get; set; }

    /// <summary>
    /// Binds and listens. The door serves each connection with the middleware of <see cref="WelcomeDoorOptions.Pipeline"/>, then TLS (<see cref="WelcomeDoorOptions.Tls"/>),
    /// then <paramref name="pipeline"/>'s, then the per-address limit, the accept log and <paramref name="handler"/>. A client refused by a limit is answered
    /// by <paramref name="refuse"/> (a 503, say) when given, and closed. Throws <see cref="SocketException"/>
    /// (for example AddressAlreadyInUse) when the port cannot be had.
    /// </summary>
    public static WelcomeDoor Bind(string name, WelcomeDoorOptions options, DoorPipeline? pipeline, ConnectionDelegate handler, ILogger logger,
        House? house = null, ConnectionDelegate? refuse = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnectionsPerAddress, 1);
        bool ownsHouse = house is null;
        house ??= new House();
        WelcomeDoor door;
        if (options.Transport == TcpTransport.Epoll)
        {
            int loops = options.TransportLoops > 0 ? options.TransportLoops : EpollListeners.DefaultLoops;
            var epoll = EpollListeners.Bind(options.EndPoint, options.Backlog, loops, logger);
            door = new WelcomeDoor(name, null, epoll, pipeline, handler, refuse, options, logger, house, ownsHouse);
            EpollLog.Listening(logger, name, door.LocalEndPoint, loops);
        }
        else
        {
            var listener = DoorSocket.Bind(options.EndPoint, SocketType.Stream, ProtocolType.Tcp, socket => socket.Listen(options.Backlog));
            door = new WelcomeDoor(name, listener, null, pipeline, handler, refuse, options, logger, house, ownsHouse);
        }

        TransportLog.Listening(logger, name, door.LocalEndPoint);
        return door;
    }

    /// <summary>A door with no middleware: the handler serves each connection as accepted.</summary>
    public static WelcomeDoor Bind(string name, WelcomeDoorOptions options, IConnectionHandler handler, ILogger logger, House? house = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Bind(name, options, null, handler.OnConnectedAsync, logger, house);
    }

    /// <summary>Starts accepting. Call once; <see cref="StopAsync"/> or <see cref="DisposeAsync"/> ends it.</summary>
    public void Start()
    {
        if (_acceptLoop is not null)
        {
            throw new InvalidOperationException("The door is already open.");
        }

        _house.Registry.Add(this);
        if (_epoll is not null)
        {
            // Each loop accepts on its own listener and admits on its own thread.
            _epoll.Start(Admit);
            _acceptLoop = Task.CompletedTask;
        }
        else
        {
            _acceptLoop = AcceptLoopAsync();
        }

        _heartbeat = HeartbeatAsync();
    }

    private async Task AcceptLoopAsync()
    {
        var backOff = TimeSpan.Zero;
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stopping.Token);
                backOff = TimeSpan.Zero;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection reset while still in the backlog: try the next one. Out of descriptors
                // or buffers: keep the door open but back off, 50 ms doubling to 5 s, reset on success.
                TransportLog.AcceptFailed(_logger, e.SocketErrorCode.ToString());
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    backOff = backOff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                    try
                    {
                        await Task.Delay(backOff, _stopping.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            try
            {
                Admit(socket);
            }
            catch (Exception e)
            {
                // A socket that fails while being admitted (an option refused after an early reset):
                // close it, say so, and go on accepting.
                TransportLog.AdmissionFailed(_logger, e, _options.EndPoint);
                socket.Dispose();
            }
        }
    }

    private void Admit(Socket socket)
    {
        var remote = Connection.Normalize(socket.RemoteEndPoint);
        Admit(remote,
            id =>
            {
                socket.NoDelay = true;
                var info = new ConnectionInfo(Name, id, Connection.Normalize(socket.LocalEndPoint), remote);
                return new SocketConnection(socket, info, _policy, _options.Dispatch == DoorDispatch.ThreadPool);
            },
            (id, refusal) => Refuse(socket, id, remote, refusal));
    }

    /// <summary>On an epoll loop's thread: a socket it accepted (NoDelay already set), admitted or refused as a managed one.</summary>
    private void Admit(AcceptedSocket socket)
    {
        var remote = socket.RemoteEndPoint;
        Admit(remote,
            id => new EpollConnection(socket, new ConnectionInfo(Name, id, socket.LocalEndPoint, remote), _policy, _options.Dispatch == DoorDispatch.ThreadPool, _stopping.Token),
            (id, refusal) => Refuse(socket, id, remote, refusal));
    }

    /// <summary>Either transport's accepted socket: a slot and a connection, or the limit that refuses it.</summary>
    private void Admit(IPEndPoint remote, Func<long, DoorConnection> make, Action<long, string> refuse)
    {
        AdmissionProbe?.Invoke(remote);
        long id = Interlocked.Increment(ref _nextId);
        string? refusal = TakeSlot();
        if (refusal is not null)
        {
            refuse(id, refusal);
            return;
        }

        DoorConnection connection;
        try
        {
            connection = make(id);
        }
        catch
        {
            ReleaseSlot();
            throw;
        }

        Serve(connection);
    }

    private void Serve(DoorConnection connection)
    {
        _connections[connection.Id] = connection;
        _house.Meter.Accepted(Name);
        _ = ServeAsync(connection);
    }

    /// <summary>
    /// Takes a connection slot and a descriptor, or says which limit refuses. The per-address slot is
    /// taken later, once middleware has named the client (<see cref="LimitPerAddress"/>).
    /// </summary>
    private string? TakeSlot()
    {
        if (Interlocked.Increment(ref _active) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _active);
            return RefusalLog.MaxConnections;
        }

        if (!_house.Descriptors.TryTake())
        {
            Interlocked.Decrement(ref _active);
            return RefusalLog.Descriptors;
        }

        return null;
    }

    private void ReleaseSlot()
    {
        _house.Descriptors.Return();
        if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _draining) == 1)
        {
            _allClosed.TrySetResult();
        }
    }

    private bool CountsPerAddress(IPAddress address) => _options.LimitLoopback || !IPAddress.IsLoopback(address);

    private void ReleaseAddress(IPAddress address)
    {
        if (!CountsPerAddress(address))
        {
            return;
        }

        lock (_perAddress)
        {
            if (_perAddress.TryGetValue(address, out int open))
            {
                if (open <= 1)
                {
                    _perAddress.Remove(address);
                }
                else
                {
                    _perAddress[address] = open - 1;
                }
            }
        }
    }

    // Never throws: every failure is logged here, so the task needs no observer, and the
    // door awaits all of them through _active/_allClosed on shutdown.
    private async Task ServeAsync(DoorConnection connection)
    {
        // Run the pipeline off the accept loop.
        await Task.Yield();
        var info = connection.Info;
        try
        {
            await _app(connection, _stopping.Token);
        }
        catch (Exception e) when (NetworkErrors.IsNetworkEnd(e))
        {
            if (info.Timeouts.Expired == TimeoutReason.None)
            {
                TransportLog.ConnectionFailed(_logger, info.Id, info.RemoteEndPoint, NetworkErrors.Reason(e));
            }
        }
        catch (Exception e)
        {
            TransportLog.HandlerFailed(_logger, e, info.Id, info.RemoteEndPoint);
        }
        finally
        {
            LogExpiry(info);
            connection.Close();
            connection.Dispose();
            _connections.TryRemove(info.Id, out _);
            Interlocked.Add(ref _closedReceived, info.BytesReceived);
            Interlocked.Add(ref _closedSent, info.BytesSent);
            _house.Meter.Closed(Name, info.Age);
            TransportLog.Closed(_logger, info.Id, info.RemoteEndPoint);
            ReleaseSlot();
        }
    }

    private void LogExpiry(ConnectionInfo info)
    {
        switch (info.Timeouts.Expired)
        {
            case TimeoutReason.Idle:
                TransportLog.IdleTimedOut(_logger, info.Id, info.RemoteEndPoint, _options.IdleTimeout);
                break;
            case TimeoutReason.MinDataRate:
                TransportLog.TooSlow(_logger, info.Id, info.RemoteEndPoint, _options.MinDataRate, _options.MinDataRateGrace);
                break;
            case TimeoutReason.Drain:
                TransportLog.DrainClosed(_logger, info.Id, info.RemoteEndPoint, _options.DrainTimeout);
                break;
        }
    }

    private async Task HeartbeatAsync()
    {
        // Granularity of every clock: a tenth of the idle timeout, between 50 and 250 ms. One pass
        // over 10,000 connections costs well under a millisecond.
        long periodMs = Math.Clamp((long)_options.IdleTimeout.TotalMilliseconds / 10, 50, 250);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(periodMs));
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token))
            {
                _refusalLog.Flush();
                long now = Environment.TickCount64;
                foreach (var (_, connection) in _connections)
                {
                    if (connection.Info.Timeouts.Check(now, _policy) != TimeoutReason.None)
                    {
                        connection.Close();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Stops accepting at once, lets open connections finish for up to the drain timeout
    /// (or until <paramref name="cancellationToken"/> fires), then closes the rest (with a FIN) and waits for their handlers.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await _allClosed.Task;
            return;
        }

        // Close the welcome door before the first await, so no client gets in once StopAsync was called.
        _listener?.Dispose();
        var listenersClosed = _epoll?.CloseListenersAsync() ?? Task.CompletedTask;
        await _stopping.CancelAsync();
        await listenersClosed;
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        // The heartbeat keeps running the clocks while the door drains (it ends on _closing).
        // A full fence (not a volatile write): a handler finishing now must see the flag, or we must see its count.
        Interlocked.Exchange(ref _draining, 1);
        int open = Volatile.Read(ref _active);
        if (open == 0)
        {
            _allClosed.TrySetResult();
        }
        else
        {
            TransportLog.Draining(_logger, Name, open, _options.DrainTimeout);
        }

        if (Volatile.Read(ref _refusing) == 0)
        {
            _refusalsDone.TrySetResult();
        }

        try
        {
            await _allClosed.Task.WaitAsync(_options.DrainTimeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            TransportLog.DrainAborted(_logger, Name, Volatile.Read(ref _active));
            foreach (var (_, connection) in _connections)
            {
                connection.Info.Timeouts.Expire(TimeoutReason.Drain);
                connection.Close();
            }

            await _allClosed.Task;
        }

        await _refusalsDone.Task;
        await _closing.CancelAsync();
        if (_heartbeat is not null)
        {
            await _heartbeat;
        }

        if (_epoll is not null)
        {
            await _epoll.StopAsync();
        }

        _house.Registry.Remove(this);
        TransportLog.Stopped(_logger, Name);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
        _closing.Dispose();
        if (_ownsHouse)
        {
            _house.Dispose();
        }
    }
}
