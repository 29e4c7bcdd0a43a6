using System.Buffers;
using System.Text;

namespace Doorway.Files.Http;

/// <summary>
/// Parses an HTTP/1.x request head (RFC 9112 §2–5) from bytes, bounded by the door's limits.
/// Strict where leniency lets two parsers disagree (request smuggling): no whitespace before the
/// colon, no obsolete line folding, no bare CR, one Host, one Content-Length.
/// A bare LF ends a line, as RFC 9112 §2.2 allows.
/// </summary>
internal static class HttpRequestParser
{
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    public static HttpParseStatus Parse(ReadOnlySpan<byte> buffer, FileDoorOptions limits, out HttpRequestHead head)
    {
        head = default;
        head.ContentLength = -1;

        int lineEnd = buffer[..Math.Min(buffer.Length, limits.MaxRequestLineBytes + 1)].IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return buffer.Length > limits.MaxRequestLineBytes ? Fail(ref head, HttpParseStatus.UriTooLong, "request line too long") : HttpParseStatus.Incomplete;
        }

        var status = ParseRequestLine(buffer, TrimCr(lineEnd, buffer), ref head);
        if (status != HttpParseStatus.Complete)
        {
            return status;
        }

        int position = lineEnd + 1;
        int headerStart = position;
        int count = 0;
        while (true)
        {
            int limit = Math.Min(buffer.Length, headerStart + limits.MaxHeaderBytes + 1);
            int next = position >= limit ? -1 : buffer[position..limit].IndexOf((byte)'\n');
            if (next < 0)
            {
                return buffer.Length - headerStart > limits.MaxHeaderBytes
                    ? Fail(ref head, HttpParseStatus.HeadersTooLarge, "header section too large")
                    : HttpParseStatus.Incomplete;
            }

            int end = position + next;
            int contentEnd = TrimCr(end, buffer);
            if (contentEnd == position)
            {
                head.Length = end + 1;
                break;
            }

            if (++count > limits.MaxHeaderCount)
            {
                return Fail(ref head, HttpParseStatus.HeadersTooLarge, "too many header fields");
            }

            status = ParseField(buffer, position, contentEnd, ref head);
            if (status != HttpParseStatus.Complete)
            {
                return status;
            }

            position = end + 1;
        }

        if (head.Version >= 11 && !head.HasHost)
        {
            return Fail(ref head, HttpParseStatus.BadRequest, "HTTP/1.1 request without Host");
        }

        return HttpParseStatus.Complete;
    }

    // The content of the line ending at the LF at lineEnd, without its CR.
    private static int TrimCr(int lineEnd, ReadOnlySpan<byte> buffer) =>
        lineEnd > 0 && buffer[lineEnd - 1] == (byte)'\r' ? lineEnd - 1 : lineEnd;

    private static HttpParseStatus ParseRequestLine(ReadOnlySpan<byte> buffer, int end, ref HttpRequestHead head)
    {
        var line = buffer[..end];
        int firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0 || line[..firstSpace].IndexOfAnyExcept(TokenChars) >= 0)
        {
            return Fail(ref head, HttpParseStatus.BadRequest, "malformed method");
        }

        int secondSpace = line[(firstSpace + 1)..].IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            return Fail(ref head, HttpParseStatus.BadRequest, "malformed request line");
        }

        secondSpace += firstSpace + 1;
        var target = line[(firstSpace + 1)..secondSpace];
        // No spaces or controls. Raw bytes above 0x7E are let through (some clients send UTF-8
        // unencoded); the file root refuses whatever is not valid UTF-8.
        if (target.IndexOfAnyInRange((byte)0x00, (byte)0x20) >= 0 || target.Contains((byte)0x7F))
        {
            return Fail(ref head, HttpParseStatus.BadRequest, "malformed request target");
        }

        var version = line[(secondSpace + 1)..];
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5])
            || version[6] != (byte)'.' || !char.IsAsciiDigit((char)version[7]))
        {
            return Fail(ref head, HttpParseStatus.BadRequest, "malformed HTTP version");
        }

        if (version[5] != (byte)'1' || version[7] is not ((byte)'0' or (byte)'1'))
        {
            return Fail(ref head, HttpParseStatus.VersionNotSupported, "unsupported HTTP version");
        }

        var method = line[..firstSpace];
        head.Method = method.SequenceEqual("GET"u8) ? RequestMethod.Get : method.SequenceEqual("HEAD"u8) ? RequestMethod.Head : RequestMethod.Other;
        head.MethodText = new Range(0, firstSpace);
        head.Target = new Range(firstSpace + 1, secondSpace);
        head.Version = version[7] == (byte)'1' ? 11 : 10;
        return HttpParseStatus.Complete;
    }

    private static HttpParseStatus ParseField(ReadOnlySpan<byte> buffer, int start, int end, ref HttpRequestHead head)
    {
        var line = buffer[start..end];
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            return Fail(ref head, HttpParseStatus.BadRequest, "obsolete line folding");
        }

        int colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].IndexOfAnyExcept(TokenChars) >= 0)
        {
            return Fail(ref head, HttpParseStatus.BadRequest, "malformed header field");
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

        var value = line[valueStart..valueEnd];
        foreach (byte b in value)
        {
            // CR, NUL and other controls inside a value (HT is allowed).
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return Fail(ref head, HttpParseStatus.BadRequest, "control character in header value");
            }
        }

        var name = line[..colon];
        var range = new Range(start + valueStart, start + valueEnd);
        if (Ascii.EqualsIgnoreCase(name, "host"u8))
        {
            if (head.HasHost)
            {
                return Fail(ref head, HttpParseStatus.BadRequest, "more than one Host");
            }

            head.HasHost = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
        {
            if (head.ContentLength >= 0 || value.IsEmpty || value.Length > 18 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            {
                return Fail(ref head, HttpParseStatus.BadRequest, "bad or repeated Content-Length");
            }

            long length = 0;
            foreach (byte digit in value)
            {
                length = (length * 10) + (digit - '0');
            }

            head.ContentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
        {
            head.HasTransferEncoding = true;
        }
        else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
        {
            ReadConnection(value, ref head);
        }
        else if (Ascii.EqualsIgnoreCase(name, "if-none-match"u8))
        {
            head.IfNoneMatch = range;
        }
        else if (Ascii.EqualsIgnoreCase(name, "if-modified-since"u8))
        {
            head.IfModifiedSince = range;
        }
        else if (Ascii.EqualsIgnoreCase(name, "range"u8))
        {
            head.RangeHeader = range;
        }
        else if (Ascii.EqualsIgnoreCase(name, "if-range"u8))
        {
            head.IfRange = range;
        }

        return HttpParseStatus.Complete;
    }

    private static void ReadConnection(ReadOnlySpan<byte> value, ref HttpRequestHead head)
    {
        foreach (var part in value.Split((byte)','))
        {
            var option = value[part].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(option, "close"u8))
            {
                head.ConnectionClose = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8))
            {
                head.ConnectionKeepAlive = true;
            }
        }
    }

    private static HttpParseStatus Fail(ref HttpRequestHead head, HttpParseStatus status, string reason)
    {
        head.Error = reason;
        return status;
    }
}
