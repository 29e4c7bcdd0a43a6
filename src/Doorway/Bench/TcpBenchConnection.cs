using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Doorway.Transport;

namespace Doorway.Bench;

/// <summary>
/// One TCP connection of the load: keeps up to <c>pipeline</c> messages of lowercase text in
/// flight and checks every reply byte against the upper case it expects. The loop allocates
/// nothing per message: the text is a slice of a shared pattern, the socket's ValueTasks are
/// pooled, and the send times live in a ring of <c>pipeline</c> slots. On the Linux transport the
/// connection is an epoll connection of the client's loops (recv and send straight into these
/// buffers, no engine between), else a .NET socket.
/// </summary>
internal sealed class TcpBenchConnection : IBenchConnection
{
    private const int MaxReceiveSize = 64 * 1024;

    private readonly Socket? _socket;
    private readonly Connection? _connection;
    private readonly System.Net.Security.SslStream? _tls;
    private readonly int _id;
    private readonly BenchRun _run;
    private readonly TextPattern _pattern;
    private readonly byte[] _receive;
    private readonly long[] _sentAt;
    private volatile bool _aborted;

    public TcpBenchConnection(Socket? socket, Connection? connection, int id, BenchRun run, TextPattern pattern, System.Net.Security.SslStream? tls = null)
    {
        _socket = socket;
        _connection = connection;
        _tls = tls;
        _id = id;
        _run = run;
        _pattern = pattern;
        _receive = GC.AllocateUninitializedArray<byte>(ReceiveSize(run.Options));
        _sentAt = new long[run.Options.Pipeline];
    }

    public ConnectionStats Stats { get; } = new();

    /// <summary>The longest run of the stream one send or one check covers.</summary>
    public static int LongestRun(BenchOptions options) =>
        Math.Max(options.Pipeline * options.MessageSize, ReceiveSize(options));

    public static async Task<IBenchConnection> ConnectAsync(int id, BenchRun run, TextPattern pattern, CancellationToken cancellationToken)
    {
        // TLS runs over a Socket (SslStream); the Linux transport's client loops carry plaintext only.
        if (run.Client is { } client && run.Options.Tls is null)
        {
            if (!run.HasRate)
            {
                return await EpollBenchConnection.ConnectAsync(client, id, run, pattern, cancellationToken);
            }

            var connection = await client.ConnectAsync(run.Options.Server, run.Options.ConnectTimeout, cancellationToken);
            return new TcpBenchConnection(null, connection, id, run, pattern);
        }

        var socket = await TcpConnector.ConnectAsync(run.Options.Server, run.Options.ConnectTimeout, cancellationToken);
        if (run.Options.Tls is not { } tls)
        {
            return new TcpBenchConnection(socket, null, id, run, pattern);
        }

        try
        {
            var session = await tls.AuthenticateAsync(socket, run.Options.Server, run.Options.ConnectTimeout, cancellationToken: cancellationToken);
            return new TcpBenchConnection(socket, null, id, run, pattern, session);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task RunAsync()
    {
        int size = _run.Options.MessageSize;
        int depth = _run.Options.Pipeline;
        long sent = 0;
        var cursor = default(ReplyCursor);
        try
        {
            while (true)
            {
                if (!_run.IsStopping)
                {
                    int batch = depth - (int)(sent - cursor.Completed);
                    if (_run.HasRate)
                    {
                        batch = await DueAsync(sent, batch, cursor.Completed == sent);
                    }

                    if (batch > 0)
                    {
                        Stamp(sent, batch);
                        // Sent inline rather than through a helper: one state machine for the
                        // connection's life, even in a Debug build.
                        var bytes = _pattern.Lower.AsMemory(TextPattern.Offset(sent * size, _id), batch * size);
                        if (_tls is not null)
                        {
                            await _tls.WriteAsync(bytes);
                        }
                        else if (_connection is not null)
                        {
                            await _connection.SendAsync(bytes);
                        }
                        else
                        {
                            while (!bytes.IsEmpty)
                            {
                                bytes = bytes[await _socket!.SendAsync(bytes, SocketFlags.None)..];
                            }
                        }

                        sent += batch;
                    }
                }

                if (sent == cursor.Completed)
                {
                    if (_run.IsStopping)
                    {
                        return;
                    }

                    continue;
                }

                int received = _tls is not null
                    ? await _tls.ReadAsync(_receive.AsMemory())
                    : _connection is not null
                        ? await _connection.ReceiveAsync(_receive.AsMemory())
                        : await _socket!.ReceiveAsync(_receive.AsMemory(), SocketFlags.None);
                long now = BenchClock.Now();
                if (received == 0)
                {
                    Stats.Error("the server closed the connection");
                    return;
                }

                if (!cursor.Take(_receive.AsSpan(0, received), now, sent, size, _id, _pattern, _sentAt, Stats, _run.IsMeasuring))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException || (_tls is not null && e is IOException))
        {
            Stats.Error(BenchSockets.Describe(e, _aborted));
        }
    }

    public void Abort()
    {
        _aborted = true;
        _socket?.Dispose();
        _connection?.Abort();
    }

    public void Dispose()
    {
        // close_notify is not waited for: the bench's end is a measurement's, not a conversation's.
        _tls?.Dispose();
        if (_socket is not null)
        {
            BenchSockets.Close(_socket);
        }

        if (_connection is not null)
        {
            // The server sees a clean end, as BenchSockets.Close gives it.
            _connection.ShutdownSend();
            _connection.Dispose();
        }
    }

    // Room for more than is ever owed: a server that answers more bytes than it was sent shows up
    // in one read (and is given up) instead of filling both ends' buffers until both block sending.
    private static int ReceiveSize(BenchOptions options) =>
        Math.Min(Math.Max(2 * options.Pipeline * options.MessageSize, 4096), MaxReceiveSize);

    // With a rate, a message is sent at its intended time (or at once, if that has passed) and
    // its latency counts from the intended time; with nothing in flight, wait for the next one.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> DueAsync(long sent, int room, bool idle)
    {
        if (room <= 0)
        {
            return 0;
        }

        if (idle)
        {
            await BenchRun.WaitUntilAsync(_run.IntendedSendTime(_id, sent));
        }

        long now = BenchClock.Now();
        int due = 0;
        while (due < room && _run.IntendedSendTime(_id, sent + due) <= now + BenchRun.Slack)
        {
            due++;
        }

        return due;
    }

    private void Stamp(long first, int count)
    {
        long now = BenchClock.Now();
        for (int i = 0; i < count; i++)
        {
            long message = first + i;
            // Late: count from when it should have gone (the server's stall is charged to it).
            // Early (within a timer tick): count from when it went.
            _sentAt[message % _sentAt.Length] = _run.HasRate ? Math.Min(_run.IntendedSendTime(_id, message), now) : now;
        }
    }
}
