using System.Buffers;
using System.Text;

namespace Doorway.Http;

/// <summary>
/// Recognizes an HTTP/1.x request line by its shape (RFC 9112 §3), from the first bytes of a
/// connection: empty lines skipped (§2.2), a method token (any token: "get" and "FOO" are HTTP
/// that the session answers 501), whitespace, a target, whitespace, and "HTTP/" with a version
/// (matched without regard to case, so a malformed "http/1.1" is still answered, with 400).
/// Whatever has that shape is HTTP, however malformed otherwise: the parser, not the sniffer,
/// says what is wrong with it, so every HTTP client gets a status line. A method of upper-case
/// letters followed by a space and '/', '*' or 'h' (origin, asterisk and absolute form) is taken
/// as HTTP before the line is whole; anything else waits for the line's end, or for the bytes to
/// stop coming.
/// </summary>
internal static class HttpRequestStart
{
    /// <summary>Longest method that is waited for while it is typed (upper-case letters only); the registered ones are shorter.</summary>
    public const int MaxMethodLength = 20;

    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// Whether <paramref name="bytes"/> start an HTTP request.
    /// </summary>
    /// <param name="quiet">No more bytes are waiting now (more may still come): decide if the bytes can be nothing but a raw name so far.</param>
    /// <param name="final">No more bytes will be looked at (end of stream, a full buffer, the sniffer's timeout): decide on what came.</param>
    public static HttpStart Check(ReadOnlySpan<byte> bytes, bool quiet = false, bool final = false)
    {
        quiet |= final;
        var start = bytes[EmptyLines(bytes)..];
        if (start.IsEmpty)
        {
            return final ? HttpStart.NotHttp : HttpStart.Unknown;
        }

        int methodEnd = start.IndexOfAnyExcept(TokenChars);
        if (methodEnd < 0)
        {
            // A token so far. One of upper-case letters is perhaps a method being typed; anything
            // else that stopped coming is a raw name ("hello.txt", sent whole by the book's client).
            return final || (quiet && !IsTypedMethod(start)) ? HttpStart.NotHttp : HttpStart.Unknown;
        }

        if (methodEnd == 0 || start[methodEnd] is not ((byte)' ' or (byte)'\t'))
        {
            return HttpStart.NotHttp;
        }

        var rest = start[(methodEnd + 1)..];
        bool typed = IsTypedMethod(start[..methodEnd]);
        if (typed && !rest.IsEmpty && rest[0] is (byte)'/' or (byte)'*' or (byte)'h' or (byte)'H')
        {
            return HttpStart.Http;
        }

        int lineEnd = rest.IndexOf((byte)'\n');
        if (lineEnd < 0 && (!quiet || (typed && rest.IsEmpty && !final)))
        {
            return HttpStart.Unknown;
        }

        return EndsWithVersion(lineEnd < 0 ? rest : rest[..lineEnd]) ? HttpStart.Http : HttpStart.NotHttp;
    }

    /// <summary>Bytes of empty lines (CRLF or LF) at the start; a CR at the very end may be the start of one.</summary>
    public static int EmptyLines(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (bytes[i] == (byte)'\n')
            {
                i++;
            }
            else if (bytes[i] == (byte)'\r' && i + 1 < bytes.Length && bytes[i + 1] == (byte)'\n')
            {
                i += 2;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static bool IsTypedMethod(ReadOnlySpan<byte> token) =>
        token.Length <= MaxMethodLength && token.IndexOfAnyExceptInRange((byte)'A', (byte)'Z') < 0;

    /// <summary>Whether the line's last word (after whitespace) starts with "HTTP/", as a request line's version does.</summary>
    private static bool EndsWithVersion(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd(" \t\r"u8);
        int space = line.LastIndexOfAny((byte)' ', (byte)'\t');
        var word = line[(space + 1)..];
        return word.Length > 5 && Ascii.EqualsIgnoreCase(word[..5], "HTTP/"u8);
    }
}
