using System.Buffers;
using System.Runtime.CompilerServices;
using Doorway.Transport;

namespace Doorway.Http;

/// <summary>
/// The content of the request being answered, read on demand: as framed by Content-Length, or
/// decoded from chunked transfer coding (RFC 9112 §7.1), never past its end, so what follows is
/// the next request and nothing else. The bytes that arrived with the head are taken from the
/// connection's request buffer first; the rest is received straight into the reader's memory.
/// At most <see cref="HttpLimits.MaxRequestBodyBytes"/> are decoded; failures throw
/// <see cref="HttpBodyException"/>. Split by feature: chunked decoding (HttpRequestBody.Chunked.cs).
/// </summary>
internal sealed partial class HttpRequestBody
{
    private static readonly byte[] Continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    private readonly Connection _connection;
    private readonly RequestBuffer _buffer;
    private readonly HttpLimits _limits;
    private readonly HttpResponse _response;
    private Framing _framing;
    private State _state;

    // Content-Length: bytes left of the body. Chunked: bytes left of the current chunk.
    private long _remaining;
    private long _read;
    private int _trailerBytes;
    private bool _expectsContinue;
    private bool _continueSent;
    private bool _accepted;

    public HttpRequestBody(Connection connection, RequestBuffer buffer, HttpLimits limits, HttpResponse response)
    {
        _connection = connection;
        _buffer = buffer;
        _limits = limits;
        _response = response;
    }

    private enum Framing
    {
        None,
        Length,
        Chunked,
    }

    private enum State
    {
        Done,
        Data,
        ChunkSize,
        ChunkDataEnd,
        Trailers,
    }

    /// <summary>Whether the request has content at all (RFC 9112 §6.3).</summary>
    public bool IsPresent => _framing != Framing.None;

    /// <summary>Whether the content has been read to its end (always, when there is none).</summary>
    public bool IsComplete => _state == State.Done;

    /// <summary>The announced length, or null when chunked (or absent).</summary>
    public long? Length => _framing == Framing.Length ? _remaining + _read : _framing == Framing.None ? 0 : null;

    /// <summary>Content bytes handed out so far.</summary>
    public long BytesRead => _read;

    /// <summary>
    /// Whether unread content can be read and dropped so the connection can serve its next
    /// request. Not when the client waits for "100 Continue" that was never sent (RFC 9110
    /// §10.1.1): it may never send the content, and its next request would be taken for it. On a
    /// door that takes no content, only a Content-Length body of at most
    /// <see cref="HttpLimits.MaxDiscardedBodyBytes"/> (there is no room for chunked framing, and no
    /// reason to read much that nobody wants).
    /// </summary>
    internal bool CanDrain => (!_expectsContinue || _continueSent)
        && (_accepted || _state == State.Done || (_framing == Framing.Length && _remaining <= _limits.MaxDiscardedBodyBytes));

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes of content; 0 at its end. The first
    /// read answers a client's "Expect: 100-continue" with 100 (RFC 9110 §10.1.1), unless the
    /// response has already gone out. On a door that takes no content (no body limit), there is
    /// none to read: a request that has some gets 413.
    /// </summary>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (!_accepted && _state != State.Done && !destination.IsEmpty)
        {
            throw new HttpBodyException(413, "this door takes no request content");
        }

        return ReadContentAsync(destination, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadContentAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_state == State.Done || destination.IsEmpty)
        {
            return 0;
        }

        if (_expectsContinue && !_continueSent && !_response.HasSent)
        {
            _continueSent = true;
            await _connection.SendAsync(Continue, cancellationToken);
        }

        return _framing == Framing.Length
            ? await ReadDataAsync(destination, cancellationToken)
            : await ReadChunkedAsync(destination, cancellationToken);
    }

    /// <summary>Starts the content of a new request; <paramref name="accepted"/>: the door takes content (it has a body limit).</summary>
    internal void Start(in HttpRequestHead head, bool expectsContinue, bool accepted = true)
    {
        _accepted = accepted;
        _read = 0;
        _trailerBytes = 0;
        _lineScanned = 0;
        _continueSent = false;
        _expectsContinue = expectsContinue;
        if (head.TransferEncodingCount > 0)
        {
            _framing = Framing.Chunked;
            _state = State.ChunkSize;
            _remaining = 0;
        }
        else if (head.ContentLength > 0)
        {
            _framing = Framing.Length;
            _state = State.Data;
            _remaining = head.ContentLength;
        }
        else
        {
            _framing = Framing.None;
            _state = State.Done;
            _remaining = 0;
        }
    }

    /// <summary>
    /// Reads what is left of the content and drops it, so the next request starts where it should.
    /// Bounded by the body limit (a chunked body past it throws), by <see cref="CanDrain"/> on a door
    /// that takes none, and by <paramref name="cancellationToken"/>.
    /// </summary>
    internal async Task DrainAsync(CancellationToken cancellationToken)
    {
        byte[] sink = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (await ReadContentAsync(sink, cancellationToken) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }

    // Content-Length data, or the data of one chunk: buffered bytes first, then straight from the connection.
    private async ValueTask<int> ReadDataAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int want = (int)Math.Min(destination.Length, _remaining);
        int count;
        if (_buffer.Count > 0)
        {
            count = Math.Min(want, _buffer.Count);
            _buffer.Unread[..count].CopyTo(destination.Span);
            _buffer.Consume(count);
        }
        else
        {
            // Never more than the body's rest: the next request's bytes stay in the kernel for the parser.
            count = await _connection.ReceiveAsync(destination[..want], cancellationToken);
            if (count == 0)
            {
                throw new HttpBodyException(400, "connection ended inside the request body");
            }
        }

        _remaining -= count;
        _read += count;
        if (_remaining == 0)
        {
            _state = _framing == Framing.Length ? State.Done : State.ChunkDataEnd;
        }

        return count;
    }
}
