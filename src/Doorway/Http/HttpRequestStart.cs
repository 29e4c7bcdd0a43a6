namespace Doorway.Http;

/// <summary>
/// Recognizes the start of an HTTP/1.x request line from a few bytes, before the line is whole:
/// a method of upper-case letters (RFC 9110 §9's and the WebDAV ones; the few registered methods
/// with a '-' are not recognized), one space, and a target that starts with '/', '*' or "h"
/// (absolute form, RFC 9112 §3.2).
/// </summary>
internal static class HttpRequestStart
{
    /// <summary>Longest method recognized; the registered ones are shorter.</summary>
    public const int MaxMethodLength = 20;

    /// <summary>The most bytes <see cref="Check"/> needs to decide.</summary>
    public const int DecisiveBytes = MaxMethodLength + 2;

    public static HttpStart Check(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length && i <= MaxMethodLength && bytes[i] is >= (byte)'A' and <= (byte)'Z')
        {
            i++;
        }

        if (i == bytes.Length)
        {
            return i > MaxMethodLength ? HttpStart.NotHttp : HttpStart.Unknown;
        }

        if (i == 0 || i > MaxMethodLength || bytes[i] != (byte)' ')
        {
            return HttpStart.NotHttp;
        }

        if (i + 1 == bytes.Length)
        {
            return HttpStart.Unknown;
        }

        return bytes[i + 1] is (byte)'/' or (byte)'*' or (byte)'h' ? HttpStart.Http : HttpStart.NotHttp;
    }
}
