using System.Diagnostics;
using System.Net;

namespace Doorway.Transport;

/// <summary>What a connection is, for logs, limits, the registry and the meter: shared by a connection and every wrapper of it.</summary>
public sealed class ConnectionInfo
{
    private IPEndPoint _remote;
    private IPEndPoint _local;
    private long _received;
    private long _sent;
    private int _state;

    public ConnectionInfo(string door, long id, IPEndPoint localEndPoint, IPEndPoint remoteEndPoint)
    {
        Door = door;
        Id = id;
        _local = localEndPoint;
        _remote = remoteEndPoint;
        StartTimestamp = Stopwatch.GetTimestamp();
        Timeouts = new TimeoutControl();
    }

    /// <summary>The door's name ("tcp", "files").</summary>
    public string Door { get; }

    public long Id { get; }

    public IPEndPoint RemoteEndPoint
    {
        get => Volatile.Read(ref _remote);
        set => Volatile.Write(ref _remote, value ?? throw new ArgumentNullException(nameof(value)));
    }

    public IPEndPoint LocalEndPoint
    {
        get => Volatile.Read(ref _local);
        set => Volatile.Write(ref _local, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>When the connection was accepted (read back from the monotonic start, so no second clock is kept).</summary>
    public DateTimeOffset StartedAt => DateTimeOffset.UtcNow - Age;

    internal long StartTimestamp { get; }

    /// <summary>How long the connection has been open.</summary>
    public TimeSpan Age => Stopwatch.GetElapsedTime(StartTimestamp);

    /// <summary>Bytes received from the network (before any unwrapping: TLS records count as they arrive).</summary>
    public long BytesReceived => Volatile.Read(ref _received);

    /// <summary>Bytes handed to the network.</summary>
    public long BytesSent => Volatile.Read(ref _sent);

    /// <summary>What the connection speaks, once a protocol or sniffer says ("capitalize", "http", "raw").</summary>
    public string? Protocol { get; set; }

    public ConnectionState State
    {
        get => (ConnectionState)Volatile.Read(ref _state);
        internal set => Volatile.Write(ref _state, (int)value);
    }

    public TimeoutControl Timeouts { get; }

    // One receive and one send at a time per connection: plain adds, read with a volatile load.
    internal void Received(int count) => Volatile.Write(ref _received, _received + count);

    internal void Sent(long count) => Volatile.Write(ref _sent, _sent + count);
}

/// <summary>What a connection is doing, as the registry shows it.</summary>
public enum ConnectionState
{
    /// <summary>Accepted; middleware (sniffing, PROXY, TLS) not done yet.</summary>
    Opening,

    /// <summary>Waiting for the peer to send, holding no buffer.</summary>
    Idle,

    Receiving,
    Sending,

    /// <summary>Half-closed or being closed.</summary>
    Closing,
}
