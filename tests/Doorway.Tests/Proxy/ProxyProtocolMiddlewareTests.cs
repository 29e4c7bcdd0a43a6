using System.Net;
using System.Text;
using Doorway.Tests.Support;
using Doorway.Tests.Udp;
using Doorway.Transport;

namespace Doorway.Tests.Proxy;

/// <summary>The PROXY protocol middleware over an in-memory connection: no sockets, every read split where the test says.</summary>
public sealed class ProxyProtocolMiddlewareTests
{
    private static readonly IPEndPoint Balancer = new(IPAddress.Parse("10.0.0.2"), 50000);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("198.51.100.9"), 40000);

    private static ProxyProtocolOptions Options(int maxHeaderBytes = 4096, TimeSpan? timeout = null) => new()
    {
        TrustedNetworks = ClientNetworks.Parse("10.0.0.0/24"),
        MaxHeaderBytes = maxHeaderBytes,
        HeaderTimeout = timeout ?? TimeSpan.FromSeconds(10),
    };

    /// <summary>What the next step saw: the client's address, and every byte it read until the end.</summary>
    private sealed class Seen
    {
        public IPEndPoint? Remote { get; set; }

        public IPEndPoint? Local { get; set; }

        public string Bytes { get; set; } = "";

        public Exception? Error { get; set; }

        public bool Reached => Remote is not null;
    }

    private static ConnectionDelegate Recording(Seen seen) => async (connection, _) =>
    {
        seen.Remote = connection.RemoteEndPoint;
        seen.Local = connection.LocalEndPoint;
        byte[] buffer = new byte[1024];
        var all = new MemoryStream();
        try
        {
            int n;
            while ((n = await connection.ReceiveAsync(buffer)) > 0)
            {
                all.Write(buffer, 0, n);
            }
        }
        catch (IOException e)
        {
            seen.Error = e;
        }

        seen.Bytes = Encoding.Latin1.GetString(all.ToArray());
    };

    /// <summary>Sends each piece only once the middleware has taken the one before, so every piece is its own read.</summary>
    private static async Task SendSplitAsync(InMemoryConnection connection, IEnumerable<byte[]> pieces, Task serving)
    {
        long sent = 0;
        foreach (byte[] piece in pieces)
        {
            if (serving.IsCompleted)
            {
                // The middleware gave up (a malformed header): the rest is never read.
                return;
            }

            await connection.Peer.SendAsync(piece);
            sent += piece.Length;
            await Deadline.UntilAsync(() => connection.Info.BytesReceived == sent || serving.IsCompleted, "the piece to be read", TimeSpan.FromSeconds(10));
        }
    }

    private static async Task<Seen> ServeAsync(IPEndPoint from, IEnumerable<byte[]> pieces, RecordingLogger? logger = null, ProxyProtocolOptions? options = null)
    {
        var seen = new Seen();
        var app = ProxyProtocol.Middleware(options ?? Options(), logger ?? new RecordingLogger())(Recording(seen));
        var connection = new InMemoryConnection(remote: from);
        var serving = app(connection, CancellationToken.None);
        await SendSplitAsync(connection, pieces, serving);
        connection.Peer.ShutdownSend();
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        return seen;
    }

    private static IEnumerable<byte[]> Bytewise(byte[] bytes) => bytes.Select(b => new[] { b });

    [Fact]
    public async Task A_v1_header_read_one_byte_at_a_time_names_the_client_and_the_rest_reaches_the_protocol()
    {
        var seen = await ServeAsync(Balancer, [.. Bytewise(ProxyHeaders.V1("PROXY TCP4 127.0.0.5 10.0.0.1 40123 8080\r\n")), "GET / HTTP/1.1\r\n\r\n"u8.ToArray()]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 40123), seen.Remote);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 8080), seen.Local);
        Assert.Equal("GET / HTTP/1.1\r\n\r\n", seen.Bytes);
    }

    [Fact]
    public async Task A_v2_header_split_across_reads_with_the_request_in_its_last_piece_names_the_client()
    {
        byte[] header = ProxyHeaders.Tcp4("127.0.0.5", 40123, "10.0.0.1", 8080, ProxyHeaders.Tlv(0x01, "http/1.1"u8.ToArray()));
        var seen = await ServeAsync(Balancer, [header[..5], header[5..14], header[14..20], [.. header[20..], .. "hello"u8.ToArray()]]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 40123), seen.Remote);
        Assert.Equal("hello", seen.Bytes);
    }

    [Fact]
    public async Task A_header_and_the_clients_bytes_in_one_read_are_told_apart()
    {
        var seen = await ServeAsync(Balancer, [[.. ProxyHeaders.Tcp4("192.0.2.1", 1, "10.0.0.1", 2), .. "in the same segment"u8.ToArray()]]);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), seen.Remote!.Address);
        Assert.Equal("in the same segment", seen.Bytes);
    }

    [Fact]
    public async Task A_v2_local_header_from_a_health_check_keeps_the_balancers_address()
    {
        var logger = new RecordingLogger();
        var seen = await ServeAsync(Balancer, [[.. ProxyHeaders.V2(0x20, 0x00, []), .. "GET /healthz HTTP/1.1\r\n\r\n"u8.ToArray()]], logger);
        Assert.Equal(Balancer, seen.Remote);
        Assert.Equal("GET /healthz HTTP/1.1\r\n\r\n", seen.Bytes);
        Assert.Single(logger.Messages(164));
    }

    [Fact]
    public async Task A_header_with_tlvs_larger_than_one_read_buffer_is_read_whole_and_skipped()
    {
        byte[] header = ProxyHeaders.Tcp4("192.0.2.44", 5, "10.0.0.1", 6, ProxyHeaders.Tlv(0xE1, new byte[2000]), ProxyHeaders.Tlv(0x04, new byte[3]));
        var seen = await ServeAsync(Balancer, [header[..100], header[100..1500], [.. header[1500..], .. "after"u8.ToArray()]]);
        Assert.Equal(IPAddress.Parse("192.0.2.44"), seen.Remote!.Address);
        Assert.Equal("after", seen.Bytes);
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "no header", "GET / HTTP/1.1\r\n\r\n"u8.ToArray() },
        { "v1 without CRLF in 107 bytes", ProxyHeaders.V1("PROXY UNKNOWN " + new string('x', 120)) },
        { "v1 three fields", ProxyHeaders.V1("PROXY TCP4 1.2.3.4 5.6.7.8 80\r\nGET") },
        { "v1 LF only", ProxyHeaders.V1("PROXY TCP4 1.2.3.4 5.6.7.8 80 443\nGET") },
        { "v2 command 3", ProxyHeaders.V2(0x23, 0x11, new byte[12]) },
        { "v2 TLV overrun", ProxyHeaders.V2(0x21, 0x11, [.. new byte[12], 0x01, 0x00, 0x09, 0x41]) },
        { "v2 bad CRC32C", ProxyHeaders.Tcp4WithChecksum(right: false) },
        { "ends mid-header", ProxyHeaders.V1("PROXY TCP4 1.2.3.4 5.6.") },
        { "v2 ends mid-block", ProxyHeaders.Tcp4("1.2.3.4", 1, "5.6.7.8", 2)[..20] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_header_from_a_balancer_closes_the_connection_before_the_protocol_sees_it(string why, byte[] bytes)
    {
        var logger = new RecordingLogger();
        var seen = await ServeAsync(Balancer, Bytewise(bytes), logger);
        Assert.False(seen.Reached, why);
        Assert.Single(logger.Messages(160));
    }

    [Fact]
    public async Task A_v2_header_longer_than_the_limit_is_refused_from_its_first_16_bytes()
    {
        var logger = new RecordingLogger();
        var seen = await ServeAsync(Balancer, [ProxyHeaders.V2(0x21, 0x11, [], length: 5000)], logger, Options(maxHeaderBytes: 4096));
        Assert.False(seen.Reached);
        Assert.Contains("5016", Assert.Single(logger.Messages(160)));
        // The same header within a larger limit is read whole.
        byte[] big = ProxyHeaders.Tcp4("192.0.2.5", 1, "10.0.0.1", 2, ProxyHeaders.Tlv(0xE2, new byte[4970]));
        Assert.Equal(5001, big.Length);
        var taken = await ServeAsync(Balancer, [big], options: Options(maxHeaderBytes: 6000));
        Assert.Equal(IPAddress.Parse("192.0.2.5"), taken.Remote!.Address);
    }

    [Fact]
    public async Task A_balancer_that_sends_half_a_header_and_stalls_is_closed_at_the_header_timeout()
    {
        var logger = new RecordingLogger();
        var seen = new Seen();
        var app = ProxyProtocol.Middleware(Options(timeout: TimeSpan.FromMilliseconds(200)), logger)(Recording(seen));
        var connection = new InMemoryConnection(remote: Balancer);
        var serving = app(connection, CancellationToken.None);
        await connection.Peer.SendAsync(ProxyHeaders.V1("PROXY TCP4 1.2.3.4 "));
        // The door's heartbeat, played by the test.
        var policy = new TimeoutPolicy(IdleMs: 0, MinBytesPerSecond: 0, GraceMs: 0);
        var started = DateTime.UtcNow;
        while (!serving.IsCompleted && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            connection.Timeouts.Check(Environment.TickCount64, policy);
            await Task.Delay(20);
        }

        await serving.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.False(seen.Reached);
        Assert.Equal(TimeoutReason.RequestHead, connection.Timeouts.Expired);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
        Assert.Single(logger.Messages(161));
    }

    [Fact]
    public async Task A_header_from_outside_the_trusted_networks_is_refused_once()
    {
        // Whole, as a sender sends it (§2). Trickled byte by byte with pauses, its bytes would reach the
        // protocol as the stranger's own text: never as an address, which only a trusted peer can set.
        foreach (var pieces in new[] { new[] { ProxyHeaders.V1("PROXY TCP4 127.0.0.5 10.0.0.1 1 2\r\nGET") }, [ProxyHeaders.Tcp4("127.0.0.5", 1, "10.0.0.1", 2)] })
        {
            var logger = new RecordingLogger();
            var seen = await ServeAsync(Stranger, pieces, logger);
            // The protocol ran (the stranger is a client like any other) but its first read failed: no byte of the header reached it.
            Assert.Equal(Stranger, seen.Remote);
            Assert.IsType<IOException>(seen.Error);
            Assert.Equal("", seen.Bytes);
            Assert.Single(logger.Messages(162));
        }
    }

    [Fact]
    public async Task A_client_outside_the_trusted_networks_without_a_header_is_served_as_it_is()
    {
        var seen = await ServeAsync(Stranger, ["PRO"u8.ToArray(), "XIMITY alert"u8.ToArray()]);
        Assert.Equal(Stranger, seen.Remote);
        Assert.Equal("PROXIMITY alert", seen.Bytes);
    }

    [Fact]
    public async Task A_stranger_whose_text_could_begin_a_header_and_then_waits_is_not_kept_waiting()
    {
        // The book's client sends its sentence and waits for the answer: "PROXY T" could still become
        // a header, but a header arrives whole (§2), so a quiet peer's bytes are its own.
        var app = ProxyProtocol.Middleware(Options(), new RecordingLogger())(async (connection, _) =>
        {
            byte[] buffer = new byte[64];
            int n = await connection.ReceiveAsync(buffer);
            await connection.SendAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(buffer, 0, n).ToUpperInvariant()));
            connection.ShutdownSend();
        });
        var connection = new InMemoryConnection(remote: Stranger);
        var serving = app(connection, CancellationToken.None);
        await connection.Peer.SendAsync("PROXY T"u8.ToArray());
        Assert.Equal("PROXY T", Encoding.ASCII.GetString(await connection.Peer.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10))));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_protocol_that_speaks_first_to_a_stranger_is_not_held_up()
    {
        var app = ProxyProtocol.Middleware(Options(), new RecordingLogger())(async (connection, _) =>
        {
            await connection.SendAsync("220 hello\r\n"u8.ToArray());
            connection.ShutdownSend();
        });
        var connection = new InMemoryConnection(remote: Stranger);
        await app(connection, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("220 hello\r\n", Encoding.ASCII.GetString(await connection.Peer.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10))));
    }
}
