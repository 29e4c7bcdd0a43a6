using System.Buffers.Text;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Doorway.Transport;

namespace Doorway.Bench;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the load: GETs the same path, up to <c>pipeline</c>
/// requests in flight, and reads each response by its Content-Length. A response that is not
/// 200, has no Content-Length, or (when a size is given) has another length is a mismatch;
/// a connection closed before the body is complete is an error.
/// </summary>
internal sealed class FilesBenchConnection : IBenchConnection
{
    // Headers longer than this are not a file server's answer to a plain GET.
    private const int MaxHeaderSize = 8 * 1024;
    private const int ReceiveSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly BenchRun _run;
    private readonly byte[] _requests;
    private readonly int _requestLength;
    private readonly byte[] _receive = GC.AllocateUninitializedArray<byte>(ReceiveSize);
    private readonly byte[] _header = new byte[MaxHeaderSize];
    private readonly long[] _sentAt;
    private readonly int _id;
    private volatile bool _aborted;

    private int _headerLength;
    private bool _inBody;
    private long _bodyLeft;
    private long _bodyLength;
    private bool _bad;

    private FilesBenchConnection(Socket socket, int id, BenchRun run)
    {
        _socket = socket;
        _id = id;
        _run = run;
        byte[] request = Encoding.ASCII.GetBytes($"GET {run.Options.Path} HTTP/1.1\r\nHost: {run.Options.Server}\r\n\r\n");
        _requestLength = request.Length;
        // The whole window's requests back to back, so a batch is one slice and one send.
        _requests = new byte[request.Length * run.Options.Pipeline];
        for (int i = 0; i < run.Options.Pipeline; i++)
        {
            request.CopyTo(_requests, i * request.Length);
        }

        _sentAt = new long[run.Options.Pipeline];
    }

    public ConnectionStats Stats { get; } = new();

    public static async Task<IBenchConnection> ConnectAsync(int id, BenchRun run, TextPattern pattern, CancellationToken cancellationToken)
    {
        var socket = await TcpConnector.ConnectAsync(run.Options.Server, run.Options.ConnectTimeout, cancellationToken);
        return new FilesBenchConnection(socket, id, run);
    }

    public async Task RunAsync()
    {
        int depth = _run.Options.Pipeline;
        long sent = 0;
        long completed = 0;
        try
        {
            while (true)
            {
                if (!_run.IsStopping)
                {
                    int batch = depth - (int)(sent - completed);
                    if (_run.HasRate && batch > 0)
                    {
                        if (sent == completed)
                        {
                            await BenchRun.WaitUntilAsync(_run.IntendedSendTime(_id, sent));
                        }

                        batch = _run.IntendedSendTime(_id, sent) <= BenchClock.Now() + BenchRun.Slack ? 1 : 0;
                    }

                    if (batch > 0)
                    {
                        long now = BenchClock.Now();
                        for (int i = 0; i < batch; i++)
                        {
                            _sentAt[(sent + i) % depth] = _run.HasRate ? Math.Min(_run.IntendedSendTime(_id, sent + i), now) : now;
                        }

                        var bytes = _requests.AsMemory(0, batch * _requestLength);
                        while (!bytes.IsEmpty)
                        {
                            bytes = bytes[await _socket.SendAsync(bytes, SocketFlags.None)..];
                        }

                        sent += batch;
                    }
                }

                if (sent == completed)
                {
                    if (_run.IsStopping)
                    {
                        return;
                    }

                    continue;
                }

                int received = await _socket.ReceiveAsync(_receive.AsMemory(), SocketFlags.None);
                if (received == 0)
                {
                    Stats.Error(_inBody ? "the server closed the connection before the body was complete" : "the server closed the connection");
                    return;
                }

                long time = BenchClock.Now();
                var span = _receive.AsSpan(0, received);
                while (!span.IsEmpty)
                {
                    if (completed == sent)
                    {
                        Stats.Mismatches++;
                        Stats.Error("the server sent bytes nobody asked for");
                        return;
                    }

                    if (!_inBody && !ReadHeader(ref span))
                    {
                        if (_headerLength == MaxHeaderSize)
                        {
                            Stats.Mismatches++;
                            Stats.Error($"response headers longer than {MaxHeaderSize} bytes");
                            return;
                        }

                        break;
                    }

                    int take = (int)Math.Min(_bodyLeft, span.Length);
                    _bodyLeft -= take;
                    span = span[take..];
                    if (_inBody && _bodyLeft == 0)
                    {
                        Complete(time - _sentAt[completed % depth]);
                        completed++;
                        _inBody = false;
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Stats.Error(BenchSockets.Describe(e, _aborted));
        }
    }

    public void Abort()
    {
        _aborted = true;
        _socket.Dispose();
    }

    public void Dispose() => BenchSockets.Close(_socket);

    private void Complete(long latency) => Stats.Complete(_run.IsMeasuring, latency, _bodyLength, _bad);

    /// <summary>
    /// Takes header bytes from <paramref name="span"/> until the blank line; then parses the
    /// status and Content-Length and leaves <paramref name="span"/> at the body. False: more needed.
    /// </summary>
    private bool ReadHeader(ref Span<byte> span)
    {
        int before = _headerLength;
        int take = Math.Min(span.Length, MaxHeaderSize - before);
        span[..take].CopyTo(_header.AsSpan(before));
        _headerLength += take;

        // The blank line may straddle two reads: search from just before the new bytes.
        int from = Math.Max(0, before - 3);
        int end = _header.AsSpan(from, _headerLength - from).IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            span = span[take..];
            return false;
        }

        int headerEnd = from + end + 4;
        span = span[(headerEnd - before)..];
        ParseHeader(_header.AsSpan(0, headerEnd));
        _headerLength = 0;
        _inBody = true;
        return true;
    }

    private void ParseHeader(ReadOnlySpan<byte> header)
    {
        // "HTTP/1.1 200 OK": anything but 200 is not the file.
        int statusEnd = header.IndexOf("\r\n"u8);
        var status = header[..statusEnd];
        _bad = !(status.Length >= 12 && status.StartsWith("HTTP/1."u8) && status[8..12].SequenceEqual(" 200"u8)
            && (status.Length == 12 || status[12] == (byte)' '));
        if (_bad && Stats.FirstMismatch is null)
        {
            // Said once per connection (the first), so a run of mismatches allocates nothing more.
            Stats.FirstMismatch = status.StartsWith("HTTP/"u8) && status.Length > 9
                ? "status " + Encoding.ASCII.GetString(status[9..])
                : "not an HTTP status line";
        }

        header = header[(statusEnd + 2)..];
        long length = -1;
        while (true)
        {
            int lineEnd = header.IndexOf("\r\n"u8);
            if (lineEnd <= 0)
            {
                break;
            }

            var line = header[..lineEnd];
            header = header[(lineEnd + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon > 0 && Ascii.EqualsIgnoreCase(line[..colon], "Content-Length"u8))
            {
                var value = line[(colon + 1)..].Trim((byte)' ');
                if (!Utf8Parser.TryParse(value, out length, out int used) || used != value.Length || length < 0)
                {
                    length = -1;
                }
            }
        }

        if (length < 0)
        {
            _bad = true;
            Stats.FirstMismatch ??= "no valid Content-Length";
            length = 0;
        }
        else if (_run.Options.Size is int expected && length != expected)
        {
            _bad = true;
            Stats.FirstMismatch ??= string.Create(CultureInfo.InvariantCulture, $"Content-Length {length}, not the {expected} of --size");
        }

        _bodyLength = length;
        _bodyLeft = length;
    }
}
