using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Doorway.Http;

/// <summary>
/// Writes a response head, and a small body after it, into one pooled buffer rented when a
/// response starts and given back when it is sent: an idle connection holds none, and a response
/// costs no allocation and usually one send. A head that outgrows the buffer moves to a larger
/// one (the heads a server writes are bounded by the requests it accepts: a Location echoes a target).
/// </summary>
internal sealed class ResponseHeadWriter
{
    /// <summary>
    /// What a response starts with: room for a head and <see cref="HttpResponse.SmallBodyBytes"/>
    /// of body (the pool hands out 32 KiB).
    /// </summary>
    internal const int InitialBytes = HttpResponse.SmallBodyBytes + 4096;

    /// <summary>A head past this is a responder's bug, not a bigger buffer's job.</summary>
    internal const int MaxBytes = 1024 * 1024;

    private static long s_held;

    private byte[]? _buffer;
    private int _length;

    /// <summary>Buffers rented by every writer in the process and not yet returned (for tests and diagnostics).</summary>
    internal static long BuffersHeld => Interlocked.Read(ref s_held);

    public bool HoldsBuffer => _buffer is not null;

    /// <summary>The bytes written and not sent yet.</summary>
    public ReadOnlyMemory<byte> Written => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _length);

    /// <summary>Free space after what is written, for a small body sent in the same packet.</summary>
    public Memory<byte> Free => _buffer is null ? Memory<byte>.Empty : _buffer.AsMemory(_length);

    public int Length => _length;

    /// <summary>
    /// Begins a head: the status line, Server and Date (RFC 9110 §6.6.1: an origin server with a
    /// clock sends Date). The status line says HTTP/1.1 whatever the request's version: a server
    /// sends the highest version it conforms to within the request's major version (RFC 9110
    /// §2.5, §6.2), and an HTTP/1.0 client reads it as such; what the client can take (no
    /// chunked, no persistence unless asked) is the framing's business.
    /// </summary>
    public void Start(int status, ReadOnlySpan<byte> serverName)
    {
        StartRelayed(status);
        Append("Server: "u8);
        Append(serverName);
        Append("\r\nDate: "u8);
        Reserve(HttpDate.Length);
        Advance(HttpDate.Format(DateTimeOffset.UtcNow, Rest));
        Append("\r\n"u8);
    }

    /// <summary>
    /// Begins a head with the status line alone: a response relayed by an intermediary keeps the
    /// origin's Server and Date (RFC 9110 §10.2.4, §6.6.1), which the relay adds as header fields.
    /// </summary>
    public void StartRelayed(int status)
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
            Interlocked.Increment(ref s_held);
        }

        _length = 0;
        Append("HTTP/1.1 "u8);
        Append(status);
        Append(" "u8);
        Append(HttpStatus.ReasonPhrase(status));
        Append("\r\n"u8);
    }

    public void Header(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Append(name);
        Append(": "u8);
        Append(value);
        Append("\r\n"u8);
    }

    public void Header(ReadOnlySpan<byte> name, string value)
    {
        Append(name);
        Append(": "u8);
        Reserve(Encoding.UTF8.GetByteCount(value));
        Advance(Encoding.UTF8.GetBytes(value, Rest));
        Append("\r\n"u8);
    }

    public void Header(ReadOnlySpan<byte> name, long value)
    {
        Append(name);
        Append(": "u8);
        Append(value);
        Append("\r\n"u8);
    }

    public void DateHeader(ReadOnlySpan<byte> name, DateTimeOffset value)
    {
        Append(name);
        Append(": "u8);
        Reserve(HttpDate.Length);
        Advance(HttpDate.Format(value, Rest));
        Append("\r\n"u8);
    }

    /// <summary>The empty line that ends a head.</summary>
    public void End() => Append("\r\n"u8);

    /// <summary>Counts bytes already written into <see cref="Free"/> (a small body read in place).</summary>
    public void Advance(int count) => _length += count;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(Rest);
        _length += bytes.Length;
    }

    /// <summary>A number in decimal (Content-Length) or, with <paramref name="hex"/>, in hex (a chunk size, RFC 9112 §7.1).</summary>
    public void Append(long value, bool hex = false)
    {
        Reserve(20);
        Utf8Formatter.TryFormat(value, Rest, out int written, hex ? new StandardFormat('X') : default);
        _length += written;
    }

    /// <summary>Forgets what was written (it was sent), keeping the buffer for the rest of the response.</summary>
    public void Clear() => _length = 0;

    /// <summary>Gives the buffer back: the response is over.</summary>
    public void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _length = 0;
            Interlocked.Decrement(ref s_held);
        }
    }

    private Span<byte> Rest => _buffer.AsSpan(_length);

    private void Reserve(int count)
    {
        var buffer = _buffer ?? throw new InvalidOperationException("the response head was not started");
        if (buffer.Length - _length >= count)
        {
            return;
        }

        int size = Math.Max(buffer.Length * 2, _length + count);
        if (size > MaxBytes)
        {
            throw new InvalidOperationException($"a response head of more than {MaxBytes} bytes");
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        _buffer = larger;
    }
}
