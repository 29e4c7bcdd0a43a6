using System.Buffers;
using System.Text;

namespace Doorway.Http;

/// <summary>
/// Parses an HTTP/1.x request head (RFC 9112 §2–5), bounded by the door's limits, and resumes
/// where it stopped: each call looks only at the bytes that arrived since the last one, so a head
/// that trickles in a byte at a time costs what it costs whole (a line's bytes are searched for
/// its end once and validated once). Strict where leniency lets two parsers disagree (request
/// smuggling): no whitespace before the colon, no obsolete line folding, no bare CR, one Host,
/// one Content-Length, not both Content-Length and Transfer-Encoding, a valid Host (§3.2), a
/// target in the form its method allows (§3.2). A bare LF ends a line, and empty lines before the
/// request line are skipped, as RFC 9112 §2.2 allows; HTTP/1.2 and later minors are read as
/// HTTP/1.1 (RFC 9110 §2.5). Every field is recorded (name and value ranges) in a pooled table of
/// <see cref="HttpLimits.MaxHeaderCount"/> entries, rented when a head's fields begin and
/// returned by <see cref="Release"/> while the connection is idle. One per connection.
/// </summary>
internal sealed class HttpRequestParser : IDisposable
{
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private readonly HttpLimits _limits;
    private HttpHeaderField[]? _fields;
    private HttpRequestHead _head;
    private Phase _phase;
    private HttpParseStatus _result;

    // Where the line being looked for began, and how far its end was searched for already.
    private int _lineStart;
    private int _scanned;
    private int _headerStart;

    // Bytes of empty lines skipped before this request's line (RFC 9112 §2.2), bounded by the request line limit.
    private int _emptyLineBytes;

    public HttpRequestParser(HttpLimits limits)
    {
        _limits = limits;
        Reset();
    }

    private enum Phase
    {
        RequestLine,
        Fields,
        Done,
    }

    /// <summary>What the last complete (or refused) head held; the ranges are from the head's first byte.</summary>
    public ref readonly HttpRequestHead Head => ref _head;

    /// <summary>Every field line of the head, in order.</summary>
    public ReadOnlySpan<HttpHeaderField> Fields => _fields is null ? [] : _fields.AsSpan(0, _head.FieldCount);

    /// <summary>Whether the field table is rented (a head is being parsed or answered).</summary>
    internal bool HoldsFields => _fields is not null;

    /// <summary>The offset of the first byte not yet looked at: where the next call resumes.</summary>
    internal int ResumePosition => _scanned;

    /// <summary>Bytes looked at so far, searches and validation together: linear in the head's length, whatever the pieces.</summary>
    internal long BytesExamined { get; private set; }

    public HttpHeaders Headers(ReadOnlySpan<byte> head) => new(head, Fields);

    /// <summary>
    /// Parses what has arrived of a request that starts at <paramref name="data"/>[0]. Between calls
    /// for one request the data may only grow at its end (the bytes already given stay as they were).
    /// Incomplete means: call again with more; any other result is final until <see cref="Reset"/>.
    /// </summary>
    public HttpParseStatus Parse(ReadOnlySpan<byte> data)
    {
        if (_phase == Phase.Done)
        {
            return _result;
        }

        while (true)
        {
            int limit = _phase == Phase.RequestLine
                ? Math.Min(data.Length, _lineStart + _limits.MaxRequestLineBytes + 1)
                : Math.Min(data.Length, _headerStart + _limits.MaxHeaderBytes + 1);
            int lineEnd = -1;
            if (_scanned < limit)
            {
                int found = data[_scanned..limit].IndexOf((byte)'\n');
                BytesExamined += found < 0 ? limit - _scanned : found + 1;
                if (found >= 0)
                {
                    lineEnd = _scanned + found;
                }
                else
                {
                    _scanned = limit;
                }
            }

            if (lineEnd < 0)
            {
                if (_phase == Phase.RequestLine)
                {
                    return data.Length - _lineStart > _limits.MaxRequestLineBytes ? Fail(HttpParseStatus.UriTooLong, "request line too long") : HttpParseStatus.Incomplete;
                }

                return data.Length - _headerStart > _limits.MaxHeaderBytes
                    ? Fail(HttpParseStatus.HeadersTooLarge, "header section too large")
                    : HttpParseStatus.Incomplete;
            }

            _scanned = lineEnd + 1;
            int contentEnd = lineEnd > _lineStart && data[lineEnd - 1] == (byte)'\r' ? lineEnd - 1 : lineEnd;
            BytesExamined += contentEnd - _lineStart;
            HttpParseStatus status;
            if (_phase == Phase.RequestLine && contentEnd == _lineStart)
            {
                // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request line
                // (a client's extra CRLF after a request's content, or between pipelined requests).
                _emptyLineBytes += _scanned - _lineStart;
                if (_emptyLineBytes > _limits.MaxRequestLineBytes)
                {
                    return Fail(HttpParseStatus.BadRequest, "too many empty lines before the request line");
                }

                _lineStart = _scanned;
                continue;
            }
            else if (_phase == Phase.RequestLine)
            {
                status = ParseRequestLine(data, _lineStart, contentEnd);
                _headerStart = _scanned;
            }
            else if (contentEnd == _lineStart)
            {
                _head.Length = _scanned;
                return Finish();
            }
            else if (_head.FieldCount == _limits.MaxHeaderCount)
            {
                status = Fail(HttpParseStatus.HeadersTooLarge, "too many header fields");
            }
            else
            {
                status = ParseField(data, _lineStart, contentEnd);
            }

            if (status != HttpParseStatus.Complete)
            {
                return status;
            }

            _phase = Phase.Fields;

            _lineStart = _scanned;
        }
    }

    /// <summary>
    /// Bytes at the front of the data that were only empty lines, now forgotten by the parser (it
    /// resumes as if the data started after them): the caller drops them from its buffer, so a
    /// connection that sent a stray CRLF and nothing else is idle, not in a request. Their count
    /// still counts against the limit until <see cref="Reset"/>.
    /// </summary>
    public int TakeEmptyLines()
    {
        if (_phase != Phase.RequestLine || _lineStart == 0)
        {
            return 0;
        }

        int skipped = _lineStart;
        _scanned -= skipped;
        _lineStart = 0;
        return skipped;
    }

    /// <summary>Forgets the last request, keeping the field table for the next one (pipelined or soon to come).</summary>
    public void Reset()
    {
        _emptyLineBytes = 0;
        _head = default;
        _head.ContentLength = -1;
        _phase = Phase.RequestLine;
        _result = HttpParseStatus.Incomplete;
        _lineStart = 0;
        _scanned = 0;
        _headerStart = 0;
    }

    /// <summary>Gives the field table back to the pool: the connection is idle. Parsing rents it again.</summary>
    public void Release()
    {
        Reset();
        if (_fields is not null)
        {
            ArrayPool<HttpHeaderField>.Shared.Return(_fields);
            _fields = null;
        }
    }

    public void Dispose() => Release();

    /// <summary>
    /// Whether a field line (without its line end) is well formed: a token, a colon with no
    /// whitespace before it, a value without controls. Also used for chunked trailer lines.
    /// </summary>
    internal static bool IsValidFieldLine(ReadOnlySpan<byte> line, out int colon, out string? error)
    {
        colon = -1;
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            // RFC 9112 §5.2: obs-fold is refused in a request.
            error = "obsolete line folding";
            return false;
        }

        colon = line.IndexOf((byte)':');
        // RFC 9112 §5.1: no whitespace between the name and the colon.
        if (colon <= 0 || line[..colon].IndexOfAnyExcept(TokenChars) >= 0)
        {
            error = "malformed header field";
            return false;
        }

        foreach (byte b in line[(colon + 1)..])
        {
            // CR, NUL and other controls inside a value (HT is allowed; RFC 9110 §5.5).
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                error = "control character in header value";
                return false;
            }
        }

        error = null;
        return true;
    }

    private HttpParseStatus Finish()
    {
        // RFC 9110 §7.2: an HTTP/1.1 request without Host is 400.
        if (_head.Version >= 11 && !_head.HasHost)
        {
            return Fail(HttpParseStatus.BadRequest, "HTTP/1.1 request without Host");
        }

        // RFC 9112 §6.1: both are how a smuggler makes two parsers disagree; refusing is allowed.
        if (_head.TransferEncodingCount > 0 && _head.ContentLength >= 0)
        {
            return Fail(HttpParseStatus.BadRequest, "both Transfer-Encoding and Content-Length");
        }

        _phase = Phase.Done;
        _result = HttpParseStatus.Complete;
        return HttpParseStatus.Complete;
    }

    private HttpParseStatus ParseRequestLine(ReadOnlySpan<byte> data, int start, int end)
    {
        var line = data[start..end];
        int firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0 || line[..firstSpace].IndexOfAnyExcept(TokenChars) >= 0)
        {
            return Fail(HttpParseStatus.BadRequest, "malformed method");
        }

        // RFC 9112 §3: exactly one SP between the parts; a server that splits on any whitespace
        // would read a target that another reads differently.
        int secondSpace = line[(firstSpace + 1)..].IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            return Fail(HttpParseStatus.BadRequest, "malformed request line");
        }

        secondSpace += firstSpace + 1;
        var target = line[(firstSpace + 1)..secondSpace];
        // No spaces or controls. Raw bytes above 0x7E are let through (some clients send UTF-8
        // unencoded); a responder decides what it makes of them.
        if (target.IndexOfAnyInRange((byte)0x00, (byte)0x20) >= 0 || target.Contains((byte)0x7F))
        {
            return Fail(HttpParseStatus.BadRequest, "malformed request target");
        }

        var version = line[(secondSpace + 1)..];
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5])
            || version[6] != (byte)'.' || !char.IsAsciiDigit((char)version[7]))
        {
            return Fail(HttpParseStatus.BadRequest, "malformed HTTP version");
        }

        if (version[5] != (byte)'1')
        {
            // RFC 9110 §15.6.6: 505 for a major version the server does not support (0.9, 2, 3).
            return Fail(HttpParseStatus.VersionNotSupported, "unsupported HTTP major version");
        }

        var method = line[..firstSpace];
        _head.Method = MethodOf(method);
        _head.MethodText = new Range(start, start + firstSpace);
        _head.Target = new Range(start + firstSpace + 1, start + secondSpace);
        // RFC 9110 §2.5: a higher minor version of a major version the server implements is
        // processed as the highest minor it implements: HTTP/1.2 is HTTP/1.1.
        _head.Version = version[7] == (byte)'0' ? 10 : 11;
        string? error = CheckTargetForm(target);
        return error is null ? HttpParseStatus.Complete : Fail(HttpParseStatus.BadRequest, error);
    }

    /// <summary>RFC 9112 §3.2: which form the target is in, and whether its method allows that form; null when it does.</summary>
    private string? CheckTargetForm(ReadOnlySpan<byte> target)
    {
        if (target[0] == (byte)'/')
        {
            _head.TargetForm = HttpTargetForm.Origin;
        }
        else if (target.SequenceEqual("*"u8))
        {
            _head.TargetForm = HttpTargetForm.Asterisk;
        }
        else if (IsAbsolute(target, out var authority))
        {
            // RFC 9110 §4.2.4: userinfo in an http(s) URI is to be treated as an error.
            if (authority.Contains((byte)'@') || !HostSyntax.IsValid(authority))
            {
                return "malformed authority in an absolute-form target";
            }

            _head.TargetForm = HttpTargetForm.Absolute;
        }
        else if (HostSyntax.IsValid(target, portRequired: true))
        {
            _head.TargetForm = HttpTargetForm.Authority;
        }
        else
        {
            return "malformed request target";
        }

        bool connect = _head.Method == RequestMethod.Connect;
        if (connect != (_head.TargetForm == HttpTargetForm.Authority))
        {
            // §3.2.3: authority form is for CONNECT only, and CONNECT takes nothing else.
            return connect ? "CONNECT without an authority-form target" : "authority-form target without CONNECT";
        }

        if (_head.TargetForm == HttpTargetForm.Asterisk && _head.Method != RequestMethod.Options)
        {
            // §3.2.4: "*" is for OPTIONS only.
            return "asterisk-form target without OPTIONS";
        }

        return null;
    }

    /// <summary>scheme "://" authority ... (RFC 3986 §3: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )); the authority ends at '/', '?' or '#'.</summary>
    private static bool IsAbsolute(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> authority)
    {
        authority = default;
        int colon = target.IndexOf("://"u8);
        if (colon <= 0 || !char.IsAsciiLetter((char)target[0])
            || target[..colon].IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-."u8) >= 0)
        {
            return false;
        }

        authority = target[(colon + 3)..];
        int end = authority.IndexOfAny("/?#"u8);
        if (end >= 0)
        {
            authority = authority[..end];
        }

        return true;
    }

    private static RequestMethod MethodOf(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => RequestMethod.Get,
        3 when method.SequenceEqual("PUT"u8) => RequestMethod.Put,
        4 when method.SequenceEqual("HEAD"u8) => RequestMethod.Head,
        4 when method.SequenceEqual("POST"u8) => RequestMethod.Post,
        5 when method.SequenceEqual("TRACE"u8) => RequestMethod.Trace,
        5 when method.SequenceEqual("PATCH"u8) => RequestMethod.Patch,
        6 when method.SequenceEqual("DELETE"u8) => RequestMethod.Delete,
        7 when method.SequenceEqual("CONNECT"u8) => RequestMethod.Connect,
        7 when method.SequenceEqual("OPTIONS"u8) => RequestMethod.Options,
        _ => RequestMethod.Other,
    };

    private HttpParseStatus ParseField(ReadOnlySpan<byte> data, int start, int end)
    {
        var line = data[start..end];
        if (!IsValidFieldLine(line, out int colon, out string? error))
        {
            return Fail(HttpParseStatus.BadRequest, error!);
        }

        int valueStart = colon + 1;
        int valueEnd = line.Length;
        while (valueStart < valueEnd && line[valueStart] is (byte)' ' or (byte)'\t')
        {
            valueStart++;
        }

        while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t')
        {
            valueEnd--;
        }

        _fields ??= ArrayPool<HttpHeaderField>.Shared.Rent(_limits.MaxHeaderCount);
        _fields[_head.FieldCount++] = new HttpHeaderField(start, colon, start + valueStart, valueEnd - valueStart);

        var name = line[..colon];
        var value = line[valueStart..valueEnd];
        // Only the fields the session itself acts on; a responder looks up the rest in the table.
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "host"u8):
                // RFC 9112 §3.2: more than one Host, or an invalid one, MUST get 400.
                if (_head.HasHost)
                {
                    return Fail(HttpParseStatus.BadRequest, "more than one Host");
                }

                if (!HostSyntax.IsValid(value))
                {
                    return Fail(HttpParseStatus.BadRequest, "invalid Host");
                }

                _head.HasHost = true;
                break;
            case 10 when Ascii.EqualsIgnoreCase(name, "connection"u8):
                ReadConnection(value);
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "content-length"u8):
                // RFC 9112 §6.3: a repeated or invalid Content-Length is unrecoverable framing.
                if (_head.ContentLength >= 0 || value.IsEmpty || value.Length > 18 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
                {
                    return Fail(HttpParseStatus.BadRequest, "bad or repeated Content-Length");
                }

                long length = 0;
                foreach (byte digit in value)
                {
                    length = (length * 10) + (digit - '0');
                }

                _head.ContentLength = length;
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8):
                if (_head.TransferEncodingCount++ == 0)
                {
                    _head.TransferEncoding = new Range(start + valueStart, start + valueEnd);
                }

                break;
        }

        return HttpParseStatus.Complete;
    }

    private void ReadConnection(ReadOnlySpan<byte> value)
    {
        foreach (var part in value.Split((byte)','))
        {
            var option = value[part].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(option, "close"u8))
            {
                _head.ConnectionClose = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8))
            {
                _head.ConnectionKeepAlive = true;
            }
        }
    }

    private HttpParseStatus Fail(HttpParseStatus status, string reason)
    {
        _head.Error = reason;
        _phase = Phase.Done;
        _result = status;
        return status;
    }
}
