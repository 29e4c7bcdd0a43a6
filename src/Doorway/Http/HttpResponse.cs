using System.Runtime.CompilerServices;
using Doorway.Transport;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Http;

/// <summary>
/// The answer to one request, written by a responder: <see cref="Start"/> a status, add header
/// fields, then send the content one of three ways:
/// <list type="bullet">
/// <item><see cref="SendAsync"/>: bytes in memory, with Content-Length (a small body goes out in the head's send);</item>
/// <item><see cref="SendFileAsync"/>: a region of an open file, with Content-Length (a small one read into the head's send, a large one by the kernel's copy);</item>
/// <item><see cref="WriteAsync"/> as often as needed, then <see cref="CompleteAsync"/>: content whose length is not known up
/// front, chunked for HTTP/1.1 (RFC 9112 §7.1), delimited by the connection's close for HTTP/1.0
/// (§6.3), or with a length declared first by <see cref="SetContentLength"/>.</item>
/// </list>
/// The response does the framing itself: Content-Length or Transfer-Encoding, Connection (close
/// when either side ends the connection), no content for HEAD (RFC 9110 §9.3.2) or for 1xx, 204
/// and 304 (§6.4.1). Its head buffer is rented at <see cref="Start"/> and returned when the
/// response is over, so an idle connection holds none. One per connection, reused.
/// </summary>
internal sealed class HttpResponse
{
    /// <summary>Content up to this size goes out in the same send as its head (copied, or read for a file): one packet, one syscall.</summary>
    internal const int SmallBodyBytes = 16 * 1024;

    private readonly Connection _connection;
    private readonly ReadOnlyMemory<byte> _serverName;
    private readonly CancellationToken _stopping;
    private readonly ResponseHeadWriter _writer = new();
    private HttpRequestBody? _body;
    private int _version;
    private bool _isHead;
    private bool _keepAlive;
    private Phase _phase;
    private Framing _framing;
    private long _declaredLength;
    private long _contentSent;
    private bool _sent;

    public HttpResponse(Connection connection, ReadOnlyMemory<byte> serverName, CancellationToken stopping)
    {
        _connection = connection;
        _serverName = serverName;
        _stopping = stopping;
    }

    private enum Phase
    {
        /// <summary>Nothing written for the current request.</summary>
        None,

        /// <summary>The head is being written.</summary>
        Head,

        /// <summary>The head is complete (perhaps not sent yet: it waits for the first content); content follows.</summary>
        Content,

        Done,
    }

    private enum Framing
    {
        None,
        Length,
        Chunked,
        Close,
    }

    /// <summary>The status given to <see cref="Start"/>.</summary>
    public int Status { get; private set; }

    /// <summary>Whether a response has begun (its head may not be sent yet).</summary>
    public bool HasStarted => _phase != Phase.None;

    public bool IsCompleted => _phase == Phase.Done;

    /// <summary>Whether any byte of the response went to the connection: until then, it can still be replaced by an error.</summary>
    public bool HasSent => _sent;

    /// <summary>Whether the connection is to serve another request after this response.</summary>
    public bool KeepAlive => _keepAlive;

    /// <summary>Content bytes sent (none for HEAD).</summary>
    public long ContentBytes => _contentSent;

    internal bool HoldsBuffer => _writer.HoldsBuffer;

    /// <summary>Begins a response: the status line, Server and Date. Rents the head buffer.</summary>
    public void Start(int status)
    {
        if (_phase != Phase.None)
        {
            throw new InvalidOperationException("the response has already begun");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(status, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        Status = status;
        _phase = Phase.Head;
        _writer.Start(status, _serverName.Span);
    }

    /// <summary>
    /// Begins a relayed response (a proxy's or a cache's): the status line only, no Server or Date
    /// of this server's own; the origin's come as header fields (RFC 9110 §10.2.4, §6.6.1).
    /// </summary>
    public void StartRelayed(int status)
    {
        if (_phase != Phase.None)
        {
            throw new InvalidOperationException("the response has already begun");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(status, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        Status = status;
        _phase = Phase.Head;
        _writer.StartRelayed(status);
    }

    /// <summary>A word for the access log's line of this request (a cache's hit or miss); null: none.</summary>
    public string? LogNote { get; set; }

    /// <summary>Adds a header field. The framing fields (Content-Length, Transfer-Encoding, Connection) are the response's own.</summary>
    public void Header(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        RequireHead();
        _writer.Header(name, value);
    }

    public void Header(ReadOnlySpan<byte> name, string value)
    {
        RequireHead();
        _writer.Header(name, value);
    }

    public void Header(ReadOnlySpan<byte> name, long value)
    {
        RequireHead();
        _writer.Header(name, value);
    }

    /// <summary>A date as an IMF-fixdate (RFC 9110 §5.6.7): Last-Modified, Expires.</summary>
    public void DateHeader(ReadOnlySpan<byte> name, DateTimeOffset value)
    {
        RequireHead();
        _writer.DateHeader(name, value);
    }

    /// <summary>Ends the connection after this response; said in the head (Connection: close) if it is not complete yet.</summary>
    public void CloseConnection() => _keepAlive = false;

    /// <summary>Declares the length of content that <see cref="WriteAsync"/> will send, instead of chunking it.</summary>
    public void SetContentLength(long length)
    {
        RequireHead();
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _declaredLength = length;
    }

    /// <summary>Sends the whole response: the head with Content-Length, and <paramref name="content"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        RequireHead();
        bool hasContent = !HttpStatus.HasNoContent(Status);
        EndHead(hasContent ? content.Length : -1);
        if (_isHead || !hasContent || content.IsEmpty)
        {
            await FlushAsync(cancellationToken);
        }
        else if (content.Length <= SmallBodyBytes && content.Length <= _writer.Free.Length)
        {
            content.Span.CopyTo(_writer.Free.Span);
            _writer.Advance(content.Length);
            await FlushAsync(cancellationToken);
        }
        else
        {
            await FlushAsync(cancellationToken);
            await SendContentAsync(content, cancellationToken);
        }

        _contentSent = _isHead || !hasContent ? 0 : content.Length;
        _phase = Phase.Done;
    }

    /// <summary>
    /// Sends the whole response: the head with Content-Length <paramref name="count"/>, then that
    /// many bytes of <paramref name="file"/> from <paramref name="offset"/>. A small region is read
    /// synchronously into the head's send: it is almost always in the page cache. On an event loop
    /// (<see cref="LoopThread"/>) the read takes only cached bytes; what the disk must give is read
    /// on the thread pool (Unix has no asynchronous buffered file reads).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default)
    {
        RequireHead();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        bool hasContent = !HttpStatus.HasNoContent(Status);
        EndHead(count);
        if (_isHead || !hasContent || count == 0)
        {
            await FlushAsync(cancellationToken);
        }
        else
        {
            await SendRegionAsync(file, offset, count, reserve: 0, cancellationToken);
        }

        _contentSent = _isHead || !hasContent ? 0 : count;
        _phase = Phase.Done;
    }

    /// <summary>
    /// What is written so far, then a file region: a small one read into the same send (with
    /// <paramref name="reserve"/> bytes left free after it), a large one by the connection's file copy.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRegionAsync(SafeFileHandle file, long offset, long count, int reserve, CancellationToken cancellationToken)
    {
        if (count <= SmallBodyBytes && count + reserve <= _writer.Free.Length)
        {
            // On an event loop only what the page cache holds is read here; the rest, if any, off the loop.
            int read = LoopThread.IsCurrent ? PositionalRead.ReadWithoutWaiting(file, _writer.Free.Span[..(int)count], offset) : 0;
            if (read < count)
            {
                await LoopThread.LeaveAsync();
                read += ReadFully(file, _writer.Free.Span[read..(int)count], offset + read);
            }

            if (read != count)
            {
                // The file shrank after its length was written: the framing would break, so the connection must end.
                throw new IOException("file changed while being sent");
            }

            _writer.Advance(read);
            await FlushAsync(cancellationToken);
        }
        else
        {
            await FlushAsync(cancellationToken);
            _sent = true;
            await _connection.SendFileAsync(file, offset, count, cancellationToken);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends (pread may return less than asked before the end).</summary>
    private static int ReadFully(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = PositionalRead.Read(file, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>
    /// Ends a 2xx response to CONNECT (RFC 9110 §9.3.6): the head without Content-Length or
    /// Transfer-Encoding (a MUST NOT there), after which the connection is a tunnel
    /// (<see cref="HttpRequest.TakeTunnel"/>) and is closed when the responder returns.
    /// </summary>
    public ValueTask StartTunnelAsync(CancellationToken cancellationToken = default)
    {
        RequireHead();
        if (Status is < 200 or > 299)
        {
            throw new InvalidOperationException("only a 2xx answer to CONNECT opens a tunnel");
        }

        _keepAlive = false;
        _framing = Framing.None;
        _writer.End();
        _phase = Phase.Done;
        return FlushAsync(cancellationToken);
    }

    /// <summary>Sends the started status as a short plain-text body ("404 Not Found"), as errors are answered.</summary>
    public ValueTask SendStatusTextAsync(CancellationToken cancellationToken = default)
    {
        RequireHead();
        var phrase = HttpStatus.ReasonPhrase(Status);
        _writer.Header("Content-Type"u8, "text/plain; charset=utf-8"u8);
        int length = 4 + phrase.Length + 1;
        EndHead(length);
        if (!_isHead && !HttpStatus.HasNoContent(Status))
        {
            _writer.Append(Status);
            _writer.Append(" "u8);
            _writer.Append(phrase);
            _writer.Append("\n"u8);
            _contentSent = length;
        }

        _phase = Phase.Done;
        return FlushAsync(cancellationToken);
    }

    /// <summary>Starts <paramref name="status"/> and sends it as a short plain-text body.</summary>
    public ValueTask SendErrorAsync(int status, CancellationToken cancellationToken = default)
    {
        Start(status);
        return SendStatusTextAsync(cancellationToken);
    }

    /// <summary>
    /// Sends a piece of content whose total is not known up front (or was declared with
    /// <see cref="SetContentLength"/>). The head goes out with the first piece; each piece is sent
    /// before this returns (as one chunk, for HTTP/1.1). An empty piece sends nothing.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (_phase == Phase.Head)
        {
            EndHead(HttpStatus.HasNoContent(Status) ? -1 : _declaredLength);
        }
        else if (_phase != Phase.Content)
        {
            throw new InvalidOperationException(_phase == Phase.None ? "the response was not started" : "the response is complete");
        }

        if (_isHead || _framing == Framing.None || content.IsEmpty)
        {
            return;
        }

        if (_framing == Framing.Length && _contentSent + content.Length > _declaredLength)
        {
            throw new InvalidOperationException("more content than the declared Content-Length");
        }

        if (_framing == Framing.Chunked)
        {
            // RFC 9112 §7.1: chunk-size (hex) CRLF, the data, CRLF. The CRLF after a large piece
            // waits for the next piece (or the last chunk), so each piece costs at most two sends.
            _writer.Append(content.Length, hex: true);
            _writer.Append("\r\n"u8);
            if (content.Length <= SmallBodyBytes && content.Length + 2 <= _writer.Free.Length)
            {
                content.Span.CopyTo(_writer.Free.Span);
                _writer.Advance(content.Length);
                _writer.Append("\r\n"u8);
                await FlushAsync(cancellationToken);
            }
            else
            {
                await FlushAsync(cancellationToken);
                await SendContentAsync(content, cancellationToken);
                _writer.Append("\r\n"u8);
            }
        }
        else if (content.Length <= SmallBodyBytes && content.Length <= _writer.Free.Length)
        {
            content.Span.CopyTo(_writer.Free.Span);
            _writer.Advance(content.Length);
            await FlushAsync(cancellationToken);
        }
        else
        {
            await FlushAsync(cancellationToken);
            await SendContentAsync(content, cancellationToken);
        }

        _contentSent += content.Length;
    }

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>
    /// as the next piece of content written with <see cref="WriteAsync"/> (a part of a
    /// multipart/byteranges body): read into the buffer when small, else by the kernel's copy.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_phase == Phase.Head)
        {
            EndHead(HttpStatus.HasNoContent(Status) ? -1 : _declaredLength);
        }
        else if (_phase != Phase.Content)
        {
            throw new InvalidOperationException(_phase == Phase.None ? "the response was not started" : "the response is complete");
        }

        if (_isHead || _framing == Framing.None || count == 0)
        {
            return;
        }

        if (_framing == Framing.Length && _contentSent + count > _declaredLength)
        {
            throw new InvalidOperationException("more content than the declared Content-Length");
        }

        if (_framing == Framing.Chunked)
        {
            _writer.Append(count, hex: true);
            _writer.Append("\r\n"u8);
        }

        // Room for the chunk's closing CRLF after the region.
        await SendRegionAsync(file, offset, count, reserve: 2, cancellationToken);

        if (_framing == Framing.Chunked)
        {
            _writer.Append("\r\n"u8);
        }

        _contentSent += count;
    }

    /// <summary>
    /// Ends the response: the last chunk, or the head alone if nothing was written (then with
    /// Content-Length: 0). Content shorter than a declared length breaks the framing: the
    /// connection then ends after it, which the client sees as a cut-off response.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        switch (_phase)
        {
            case Phase.None:
                throw new InvalidOperationException("the response was not started");
            case Phase.Done:
                return;
            case Phase.Head when _declaredLength < 0:
                await SendAsync(ReadOnlyMemory<byte>.Empty, cancellationToken);
                return;
            case Phase.Head:
                EndHead(_declaredLength);
                break;
        }

        if (_framing == Framing.Chunked && !_isHead)
        {
            // The last chunk and an empty trailer section.
            _writer.Append("0\r\n\r\n"u8);
        }
        else if (_framing == Framing.Length && !_isHead && _contentSent != _declaredLength)
        {
            _keepAlive = false;
        }

        _phase = Phase.Done;
        await FlushAsync(cancellationToken);
    }

    /// <summary>Prepares for a new request's response.</summary>
    internal void Begin(int version, bool isHead, bool keepAlive, HttpRequestBody? body)
    {
        _version = version;
        _isHead = isHead;
        _keepAlive = keepAlive;
        _body = body;
        _phase = Phase.None;
        _framing = Framing.None;
        _declaredLength = -1;
        _contentSent = 0;
        _sent = false;
        Status = 0;
        LogNote = null;
    }

    /// <summary>Gives the head buffer back: the response is sent (or abandoned).</summary>
    internal void Release() => _writer.Release();

    private void RequireHead()
    {
        if (_phase != Phase.Head)
        {
            throw new InvalidOperationException(_phase == Phase.None ? "the response was not started" : "the response head is complete");
        }
    }

    /// <summary>The framing fields and the empty line (RFC 9112 §6); -1: length unknown.</summary>
    private void EndHead(long contentLength)
    {
        if (HttpStatus.HasNoContent(Status))
        {
            _framing = Framing.None;
        }
        else if (contentLength >= 0)
        {
            _writer.Header("Content-Length"u8, contentLength);
            _framing = Framing.Length;
            _declaredLength = contentLength;
        }
        else if (_version >= 11)
        {
            _writer.Header("Transfer-Encoding"u8, "chunked"u8);
            _framing = Framing.Chunked;
        }
        else
        {
            // RFC 9112 §6.3 (last rule): an HTTP/1.0 client knows the end by the close.
            _framing = Framing.Close;
            _keepAlive = false;
        }

        if (_stopping.IsCancellationRequested || _body is { IsComplete: false, CanDrain: false })
        {
            _keepAlive = false;
        }

        if (!_keepAlive)
        {
            _writer.Header("Connection"u8, "close"u8);
        }
        else if (_version == 10)
        {
            _writer.Header("Connection"u8, "keep-alive"u8);
        }

        _writer.End();
        _phase = Phase.Content;
    }

    private ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_writer.Length == 0)
        {
            return ValueTask.CompletedTask;
        }

        var written = _writer.Written;
        _writer.Clear();
        _sent = true;
        return _connection.SendAsync(written, cancellationToken);
    }

    private ValueTask SendContentAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        _sent = true;
        return _connection.SendAsync(content, cancellationToken);
    }
}
