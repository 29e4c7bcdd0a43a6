using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Doorway.Files.Http;

/// <summary>
/// Writes a response head into one pooled buffer per connection, so a response costs no
/// allocation and goes out in one send (with a small body appended when there is room).
/// </summary>
internal sealed class ResponseHead : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public ResponseHead(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    public int Status { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    /// <summary>Free space after the head, for a small body sent in the same packet.</summary>
    public Memory<byte> Free => _buffer.AsMemory(_length);

    public void Start(int status, int version)
    {
        Status = status;
        _length = 0;
        Append(version >= 11 ? "HTTP/1.1 "u8 : "HTTP/1.0 "u8);
        Append(status);
        Append(" "u8);
        Append(ReasonPhrase(status));
        Append("\r\nServer: doorway\r\nDate: "u8);
        Advance(HttpDate.Format(DateTimeOffset.UtcNow, Rest));
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
        Advance(HttpDate.Format(value, Rest));
        Append("\r\n"u8);
    }

    /// <summary>"Content-Range: bytes a-b/n", or "bytes */n" for a 416.</summary>
    public void ContentRange(ByteRange? range, long total)
    {
        Append("Content-Range: bytes "u8);
        if (range is { } r)
        {
            Append(r.Start);
            Append("-"u8);
            Append(r.End);
        }
        else
        {
            Append("*"u8);
        }

        Append("/"u8);
        Append(total);
        Append("\r\n"u8);
    }

    public void End() => Append("\r\n"u8);

    /// <summary>Appends body bytes already written into <see cref="Free"/>.</summary>
    public void Advance(int count) => _length += count;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Rest);
        _length += bytes.Length;
    }

    private void Append(long value)
    {
        Utf8Formatter.TryFormat(value, Rest, out int written);
        _length += written;
    }

    private Span<byte> Rest => _buffer.AsSpan(_length);

    public static ReadOnlySpan<byte> ReasonPhrase(int status) => status switch
    {
        200 => "OK"u8,
        206 => "Partial Content"u8,
        301 => "Moved Permanently"u8,
        304 => "Not Modified"u8,
        400 => "Bad Request"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        408 => "Request Timeout"u8,
        414 => "URI Too Long"u8,
        416 => "Range Not Satisfiable"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        505 => "HTTP Version Not Supported"u8,
        _ => "Unknown"u8,
    };

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
