using System.Net;

namespace Doorway.Transport;

/// <summary>Where a welcome door listens, and its limits and timeouts.</summary>
public sealed record WelcomeDoorOptions
{
    public static WelcomeDoorOptions Default { get; } = new();

    /// <summary>Where the welcome door listens. <c>[::]:0</c> with dual mode is "all interfaces, IPv4 and IPv6".</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.IPv6Any, 0);

    /// <summary>Connections served at once; the next client is refused (see the door's refusal).</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>
    /// Connections served at once from one client address, so one client can't take every slot.
    /// 256: more than a browser (6 per host) or a pool of proxies needs, far fewer than the door's whole limit.
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; } = 256;

    /// <summary>
    /// Whether <see cref="MaxConnectionsPerAddress"/> also counts loopback clients. Off by default:
    /// on one machine every client is 127.0.0.1 (load generators, local proxies).
    /// </summary>
    public bool LimitLoopback { get; init; }

    /// <summary>
    /// A connection with nothing to send that receives nothing for this long is closed. While a
    /// send is pending, <see cref="MinDataRate"/> governs instead.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Least bytes per second a peer must take what is sent to it, after <see cref="MinDataRateGrace"/>;
    /// slower, and the connection is closed. 0 turns it off. 240 B/s with 5 s is Kestrel's MinResponseDataRate.
    /// Checked per piece handed to the kernel (64 KiB for buffers, 1 MiB rounds for files): a peer
    /// that stops reading is closed after the grace plus the piece's time at this rate.
    /// </summary>
    public long MinDataRate { get; init; } = 240;

    public TimeSpan MinDataRateGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>On shutdown, how long open connections may take to finish before they are closed.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The kernel's queue of completed handshakes not yet accepted (listen(2) backlog).</summary>
    public int Backlog { get; init; } = 4096;

    /// <summary>
    /// The level of each connection's "Accept new connection" line: the book's server prints it,
    /// so Information; a door that logs each request (HTTP) sets Debug, or a burst of clients
    /// would fill the log with connections instead of requests.
    /// </summary>
    public Microsoft.Extensions.Logging.LogLevel AcceptLogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>
    /// Where the handler runs after each wait. <see cref="DoorDispatch.Inline"/> (for handlers that
    /// never block, or that leave the loop themselves when they must: <see cref="LoopThread"/>) stays
    /// on the socket engine's thread; <see cref="DoorDispatch.ThreadPool"/> hops off it first, for
    /// handlers that block or work long (a disk store, a TLS handshake).
    /// </summary>
    public DoorDispatch Dispatch { get; init; } = DoorDispatch.Inline;

    /// <summary>
    /// Middleware every connection goes through first, before the door's own and before the
    /// per-address limit and the accept log (the PROXY protocol, TLS): one chain that <c>serve</c>
    /// gives every TCP door, as Kestrel's <c>ListenOptions.Use</c>. A client refused at accept gets
    /// its refusal through it too. Null: none.
    /// </summary>
    public DoorPipeline? Pipeline { get; init; }

    /// <summary>Refused clients being answered at once (a 503, say); past it a refused client is just closed.</summary>
    public int MaxRefusing { get; init; } = 64;

    /// <summary>Time a refused client's answer may take.</summary>
    public TimeSpan RefusalTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// TLS on this door's port (null: plaintext only). The door puts it after the pipeline's own
    /// middleware (a PROXY header comes before the ClientHello) and before the accept log and the handler.
    /// </summary>
    public TlsServerOptions? Tls { get; init; }

    /// <summary>
    /// What moves the door's bytes: .NET's sockets (everywhere), or Doorway's own epoll loops
    /// (Linux). The library's default is the sockets; <c>serve</c> chooses from the machine.
    /// </summary>
    public TcpTransport Transport { get; init; } = TcpTransport.Sockets;

    /// <summary>Event loops of the epoll transport; 0 is one per core the process may run on.</summary>
    public int TransportLoops { get; init; }
}

/// <summary>A welcome door's transport (see <see cref="WelcomeDoorOptions.Transport"/>).</summary>
public enum TcpTransport
{
    /// <summary>.NET's Socket and its engine (SocketAsyncEngine on Linux).</summary>
    Sockets,

    /// <summary>Doorway's own Linux transport: epoll loops, SO_REUSEPORT listeners, recv/send into pooled buffers.</summary>
    Epoll,
}

/// <summary>Where a door's handlers run (see <see cref="WelcomeDoorOptions.Dispatch"/>).</summary>
public enum DoorDispatch
{
    Inline,
    ThreadPool,
}
