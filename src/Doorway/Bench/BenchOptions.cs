using Doorway.Transport;

namespace Doorway.Bench;

/// <summary>One load: who to load, how many connections, how big, how long, how deep, how fast.</summary>
public sealed record BenchOptions
{
    public static BenchOptions Default { get; } = new();

    /// <summary>Most bytes a TCP connection keeps unanswered (pipeline × size); past what the kernels
    /// of both ends buffer, a server that stops reading while it cannot write would deadlock with us.</summary>
    public const int MaxBytesInFlight = 1024 * 1024;

    /// <summary>Largest UDP payload over IPv4 (65535 − 20 − 8).</summary>
    public const int MaxDatagramSize = 65_507;

    public BenchMode Mode { get; init; } = BenchMode.Tcp;

    public HostPort Server { get; init; } = new("127.0.0.1", 12000);

    /// <summary>Connections (or UDP sockets) driven at once.</summary>
    public int Connections { get; init; } = 50;

    /// <summary>Bytes per message (tcp, udp); for files, the expected body length if set.</summary>
    public int? Size { get; init; }

    /// <summary>Measured time, after the warm-up.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Traffic before measuring starts (JIT, caches, TCP windows); not counted.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages in flight per connection; 1 is ping-pong. UDP takes 1 only.</summary>
    public int Pipeline { get; init; } = 1;

    /// <summary>
    /// Messages per second over all connections, or null for as fast as the replies come. With a
    /// rate, every message has an intended send time and its latency is counted from it, so a
    /// stalled server is charged for the messages it delayed (no coordinated omission).
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>The path each files request GETs.</summary>
    public string Path { get; init; } = "/";

    /// <summary>How long connecting to the server may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>TLS to the door (tcp mode), with how its certificate is trusted; null is plaintext.</summary>
    public Transport.ClientTls? Tls { get; init; }

    /// <summary>How long a datagram's reply may take before the datagram counts as lost.</summary>
    public TimeSpan LossTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>After the measured time, how long replies still in flight are waited for.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>What moves a tcp load's bytes: .NET's sockets, or the Linux transport's epoll loops (the door's own, on the client's side).</summary>
    public TcpTransport Transport { get; init; } = TcpTransport.Sockets;

    /// <summary>Epoll loops of a tcp load on the Linux transport; 0: half the cores (the server under test gets the rest).</summary>
    public int TransportLoops { get; init; }

    /// <summary>
    /// For tests: the send buffer (SO_SNDBUF) of each epoll client connection, 0 for the kernel's
    /// own sizing. On loopback the kernel sizes it past any window the bench allows, so a test
    /// that needs a send the kernel takes only in part sets it small.
    /// </summary>
    internal int SendBufferBytes { get; init; }

    /// <summary>The message size in effect: <see cref="Size"/> or 128 bytes.</summary>
    public int MessageSize => Size ?? DefaultSize;

    public const int DefaultSize = 128;

    /// <summary>A reason these options can't run, or null.</summary>
    public string? Validate()
    {
        if (Connections < 1)
        {
            return "--connections must be at least 1";
        }

        if (MessageSize < 1)
        {
            return "--size must be at least 1";
        }

        if (Pipeline < 1)
        {
            return "--pipeline must be at least 1";
        }

        if (Mode == BenchMode.Tcp && (long)Pipeline * MessageSize > MaxBytesInFlight)
        {
            return $"--pipeline × --size may be at most {MaxBytesInFlight} bytes in flight per connection";
        }

        if (Mode == BenchMode.Udp && MessageSize > MaxDatagramSize)
        {
            return $"udp --size is at most {MaxDatagramSize} bytes";
        }

        if (Mode == BenchMode.Udp && Pipeline != 1)
        {
            return "udp takes --pipeline 1 only (one datagram in flight per socket)";
        }

        if (Mode == BenchMode.Files && !Path.StartsWith('/'))
        {
            return "--path must start with '/'";
        }

        if (Rate is double rate && (!double.IsFinite(rate) || rate <= 0))
        {
            return "--rate must be greater than 0";
        }

        return null;
    }
}
