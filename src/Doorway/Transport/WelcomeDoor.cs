using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

/// <summary>
/// The welcome door: a listening TCP socket and its accept loop. Each knock gets its own
/// <see cref="Connection"/>, served concurrently by the protocol's <see cref="IConnectionHandler"/>.
/// The door enforces the connection limit and the idle timeout, and drains on shutdown.
/// </summary>
public sealed class WelcomeDoor : IDoor
{
    private readonly Socket _listener;
    private readonly IConnectionHandler _handler;
    private readonly TcpDoorOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private int _active;
    private int _draining;
    private Task? _acceptLoop;
    private Task? _heartbeat;
    private int _stopped;

    private WelcomeDoor(string name, Socket listener, IConnectionHandler handler, TcpDoorOptions options, ILogger logger)
    {
        Name = name;
        _listener = listener;
        _handler = handler;
        _options = options;
        _logger = logger;
        LocalEndPoint = Connection.Normalize(listener.LocalEndPoint);
    }

    /// <summary>The door's name in logs and in its ready line ("tcp", "files").</summary>
    public string Name { get; }

    /// <summary>The bound address and the real port (when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections being served now.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>
    /// Binds and listens. Throws <see cref="SocketException"/> (for example AddressAlreadyInUse)
    /// when the port cannot be had.
    /// </summary>
    public static WelcomeDoor Bind(string name, TcpDoorOptions options, IConnectionHandler handler, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endPoint = options.EndPoint;
        var listener = DoorSocket.Bind(endPoint, SocketType.Stream, ProtocolType.Tcp, socket => socket.Listen(options.Backlog));

        var door = new WelcomeDoor(name, listener, handler, options, logger);
        TransportLog.Listening(logger, name, door.LocalEndPoint);
        return door;
    }

    /// <summary>Starts accepting. Call once; <see cref="StopAsync"/> or <see cref="DisposeAsync"/> ends it.</summary>
    public void Start()
    {
        if (_acceptLoop is not null)
        {
            throw new InvalidOperationException("The door is already open.");
        }

        _acceptLoop = AcceptLoopAsync();
        _heartbeat = HeartbeatAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
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
                // A connection reset while still in the backlog, or out of file descriptors:
                // keep the door open, but don't spin if the error repeats.
                TransportLog.AcceptFailed(_logger, e.SocketErrorCode.ToString());
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(50), _stopping.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            Admit(socket);
        }
    }

    private void Admit(Socket socket)
    {
        long id = Interlocked.Increment(ref _nextId);
        if (Interlocked.Increment(ref _active) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _active);
            var remote = Connection.Normalize(socket.RemoteEndPoint);
            // Closing at once tells the client plainly (end of stream) instead of leaving it in the backlog.
            socket.Dispose();
            TransportLog.RefusedAtLimit(_logger, remote, _options.MaxConnections);
            return;
        }

        socket.NoDelay = true;
        var connection = new Connection(socket, id);
        _connections[id] = connection;
        TransportLog.Accepted(_logger, connection.RemoteEndPoint, id);
        _ = ServeAsync(connection);
    }

    // Never throws: every failure is logged here, so the task needs no observer, and the
    // door awaits all of them through _active/_allClosed on shutdown.
    private async Task ServeAsync(Connection connection)
    {
        // Run the handler off the accept loop.
        await Task.Yield();
        try
        {
            await _handler.OnConnectedAsync(connection, _stopping.Token);
        }
        catch (Exception e) when (IsNetworkEnd(e))
        {
            if (connection.TimedOut)
            {
                TransportLog.IdleTimedOut(_logger, connection.Id, connection.RemoteEndPoint, _options.IdleTimeout);
            }
            else
            {
                TransportLog.ConnectionFailed(_logger, connection.Id, connection.RemoteEndPoint, Describe(e));
            }
        }
        catch (Exception e)
        {
            TransportLog.HandlerFailed(_logger, e, connection.Id, connection.RemoteEndPoint);
        }
        finally
        {
            connection.Dispose();
            _connections.TryRemove(connection.Id, out _);
            TransportLog.Closed(_logger, connection.Id, connection.RemoteEndPoint);
            if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _draining) == 1)
            {
                _allClosed.TrySetResult();
            }
        }
    }

    internal static bool IsNetworkEnd(Exception e) =>
        e is SocketException or ObjectDisposedException or OperationCanceledException
        || (e is IOException { InnerException: SocketException });

    private static string Describe(Exception e) => e switch
    {
        SocketException s => s.SocketErrorCode.ToString(),
        IOException { InnerException: SocketException s } => s.SocketErrorCode.ToString(),
        ObjectDisposedException => "closed",
        OperationCanceledException => "cancelled",
        _ => e.GetType().Name,
    };

    private async Task HeartbeatAsync()
    {
        // Granularity of the idle timeout: a tenth of it, between 50 ms and 1 s.
        long periodMs = Math.Clamp((long)_options.IdleTimeout.TotalMilliseconds / 10, 50, 1000);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(periodMs));
        long idleMs = (long)_options.IdleTimeout.TotalMilliseconds;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                long now = Environment.TickCount64;
                foreach (var (_, connection) in _connections)
                {
                    if (now - connection.LastActivity >= idleMs)
                    {
                        connection.TimeOut();
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
    /// (or until <paramref name="cancellationToken"/> fires), then closes the rest and waits for their handlers.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await _allClosed.Task;
            return;
        }

        // Close the welcome door before the first await, so no client gets in once StopAsync was called.
        _listener.Dispose();
        await _stopping.CancelAsync();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        if (_heartbeat is not null)
        {
            await _heartbeat;
        }

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

        try
        {
            await _allClosed.Task.WaitAsync(_options.DrainTimeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            TransportLog.DrainAborted(_logger, Name, Volatile.Read(ref _active));
            foreach (var (_, connection) in _connections)
            {
                connection.Dispose();
            }

            await _allClosed.Task;
        }

        TransportLog.Stopped(_logger, Name);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }
}
