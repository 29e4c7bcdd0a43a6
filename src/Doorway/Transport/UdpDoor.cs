using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

/// <summary>
/// The UDP door: one datagram socket and several receivers, each answering the datagrams it
/// receives through the protocol's <see cref="IDatagramHandler"/> and sending the reply back to the
/// sender. Bad datagrams and network errors are counted, never fatal. A reply past its source's
/// <see cref="ReplyBudget"/> is not sent, so the door is no amplifier. Drains on shutdown.
/// </summary>
/// <remarks>
/// Each receiver is a dedicated thread in a blocking <c>recvfrom</c>/<c>sendto</c> loop over the
/// <see cref="SocketAddress"/> overloads, with its own buffers. The async overloads would allocate:
/// a socket caches one awaitable receive, so every concurrent receive beyond the first gets a new one.
/// On Linux a receiver takes up to <see cref="UdpDoorOptions.Batch"/> datagrams per recvmmsg(2)
/// and sends their replies with sendmmsg(2), four at a time, straight from pinned buffers it made when it started.
/// Blocked receivers are woken for shutdown by shutdown(SHUT_RD), which Linux applies (and wakes
/// sleepers with) even on an unconnected UDP socket, while still allowing replies to go out.
/// </remarks>
public sealed partial class UdpDoor : IDoor
{
    private readonly Socket _socket;
    private readonly IDatagramHandler _handler;
    private readonly UdpDoorOptions _options;
    private readonly ILogger _logger;
    private readonly int _maxPayload;
    private readonly ReplyBudget? _budget;
    private readonly List<Receiver> _receivers = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private long _oversizeLogged;
    private int _started;
    private int _stopped;

    private UdpDoor(string name, Socket socket, IDatagramHandler handler, UdpDoorOptions options, ReplyBudget? budget, ILogger logger)
    {
        Name = name;
        _socket = socket;
        _handler = handler;
        _options = options;
        _logger = logger;
        LocalEndPoint = Connection.Normalize(socket.LocalEndPoint);
        _maxPayload = socket.AddressFamily == AddressFamily.InterNetworkV6 ? UdpDoorOptions.MaxIPv6Payload : UdpDoorOptions.MaxIPv4Payload;
        _budget = budget;
    }

    /// <summary>The door's name in logs and in its ready line ("udp").</summary>
    public string Name { get; }

    /// <summary>The receivers the door runs: <see cref="UdpDoorOptions.Receivers"/>, or when that is 0 <see cref="UdpDoorOptions.AutomaticReceivers"/>.</summary>
    public int ReceiverCount => _options.Receivers > 0 ? _options.Receivers : UdpDoorOptions.AutomaticReceivers(Batched);

    /// <summary>The bound address and the real port (when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams received.</summary>
    public long Received => Sum(static r => r.Received);

    /// <summary>Replies sent.</summary>
    public long Replied => Sum(static r => r.Replied);

    /// <summary>Datagrams the handler chose not to answer.</summary>
    public long Unanswered => Sum(static r => r.Unanswered);

    /// <summary>Datagrams not answered because the reply would exceed its source's reply budget.</summary>
    public long RepliesOverBudget => Sum(static r => r.OverBudget);

    /// <summary>Replies not sent because they would exceed the largest datagram to that sender.</summary>
    public long OversizeReplies => Sum(static r => r.Oversize);

    /// <summary>Network errors absorbed: ICMP errors surfacing on receive, failed sends.</summary>
    public long NetworkErrors => Sum(static r => r.NetworkErrors);

    /// <summary>Datagrams the handler threw on.</summary>
    public long HandlerFailures => Sum(static r => r.HandlerFailures);

    /// <summary>The most datagrams one receive has taken (1 when the receivers take one at a time).</summary>
    public long LargestBatch => MaxOf(static r => r.LargestBatch);

    /// <summary>The per-source reply budget, or null when it is off.</summary>
    internal ReplyBudget? Budget => _budget;

    /// <summary>Binds. Throws <see cref="SocketException"/> (for example AddressAlreadyInUse) when the port cannot be had.</summary>
    public static UdpDoor Bind(string name, UdpDoorOptions options, IDatagramHandler handler, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Receivers);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Batch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Batch, UdpDoorOptions.MaxBatch);
        // Made (and checked) before the socket exists, so a bad budget cannot leak it.
        var budget = ReplyBudget.Create(name, options, logger);
        var endPoint = options.EndPoint;
        var socket = DoorSocket.Bind(endPoint, SocketType.Dgram, ProtocolType.Udp);

        var door = new UdpDoor(name, socket, handler, options, budget, logger);
        TransportLog.Receiving(logger, name, door.LocalEndPoint, door.ReceiverCount);
        if (budget is not null)
        {
            TransportLog.UdpBudget(logger, name, options.ReplyBytesPerSecondPerSource, options.ReplyBurstBytesPerSource,
                budget.Capacity, options.LimitLoopback ? "limited too" : "exempt");
        }

        return door;
    }

    /// <summary>Starts the receivers. Call once; <see cref="StopAsync"/> or <see cref="DisposeAsync"/> ends them.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The door is already open.");
        }

        int replyLength = _handler.MaxReplyLength(_maxPayload);
        for (int i = 0; i < ReceiverCount; i++)
        {
            var receiver = new Receiver(_maxPayload, replyLength, _socket.AddressFamily);
            lock (_receivers)
            {
                _receivers.Add(receiver);
            }

            var thread = new Thread(Batched ? () => RunBatched(receiver) : () => Run(receiver))
            {
                // A receiver that never wakes must not keep the process alive.
                IsBackground = true,
                Name = $"{Name} receiver {i + 1}",
            };
            thread.Start();
        }
    }

    /// <summary>
    /// Stops receiving at once, lets the datagrams being answered finish (up to the drain timeout or
    /// until <paramref name="cancellationToken"/> fires), then closes the socket.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await _closed.Task;
            return;
        }

        _stopping = true;
        Task all;
        lock (_receivers)
        {
            all = Task.WhenAll(_receivers.Select(r => r.Done.Task));
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Receive);
        }
        catch (SocketException)
        {
            // ENOTCONN on an unconnected socket: Linux has applied the shutdown and woken the receivers anyway.
        }

        try
        {
            await all.WaitAsync(_options.DrainTimeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            TransportLog.UdpDrainAborted(_logger, Name, (int)Sum(static r => r.Done.Task.IsCompleted ? 0 : 1));
        }

        _socket.Dispose();
        TransportLog.UdpClosed(_logger, Name, Received, Replied, RepliesOverBudget, OversizeReplies, NetworkErrors);
        _closed.TrySetResult();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private long MaxOf(Func<Receiver, long> count)
    {
        long most = 0;
        lock (_receivers)
        {
            foreach (var receiver in _receivers)
            {
                most = Math.Max(most, count(receiver));
            }
        }

        return most;
    }

    private long Sum(Func<Receiver, long> count)
    {
        long total = 0;
        lock (_receivers)
        {
            foreach (var receiver in _receivers)
            {
                total += count(receiver);
            }
        }

        return total;
    }
}
