using System.Text;

namespace Doorway.Files;

/// <summary>
/// The file path in an HTTP request target ("/a/b%20c?q"), percent-decoded for the file root, and
/// the way back: a name's bytes percent-encoded for a link or a Location.
/// </summary>
internal static class HttpTarget
{
    /// <summary>The reason for a target that is no path at all (400, not 404).</summary>
    public const string NotAPath = "not an origin-form or http(s) absolute-form target";

    /// <summary>The reason for a '%' not followed by two hex digits (400: RFC 3986 §2.1 has no such URI).</summary>
    public const string BadEscape = "bad percent escape";

    /// <summary>
    /// Decodes the path of <paramref name="target"/> into <paramref name="path"/> (at least as long;
    /// it may be <paramref name="target"/> itself) and returns its length, without the leading '/'.
    /// Every escape is decoded, once: "%2E" and "." are the same resource, as are "%41" and "A"
    /// (RFC 3986 §6.2.2.2), so a dot segment spelled "%2e%2e" is a dot segment, and the file root
    /// refuses it as it refuses "..". An escaped '/' is never a separator (§2.2: it is data in a
    /// segment), and no file name can hold one, so it names nothing (404); so does an escaped NUL.
    /// Returns -1 with a reason when the target is refused: not origin or http(s) absolute form
    /// (<see cref="NotAPath"/>, 400), a bad escape (<see cref="BadEscape"/>, 400), or the two above (404).
    /// </summary>
    public static int DecodePath(ReadOnlySpan<byte> target, Span<byte> path, out string? reason)
    {
        reason = null;
        // Absolute form (RFC 9112 §3.2.2), which servers must accept: the path after the authority.
        // The scheme is case-insensitive (RFC 3986 §3.1): HTTP://host/a is http://host/a.
        int authority = StartsIgnoreCase(target, "http://"u8) ? 7 : StartsIgnoreCase(target, "https://"u8) ? 8 : -1;
        if (authority > 0)
        {
            int slash = target[authority..].IndexOfAny((byte)'/', (byte)'?', (byte)'#');
            if (slash < 0 || target[authority + slash] != (byte)'/')
            {
                // "http://host" or "http://host?q": the path is empty, which is "/" (RFC 9110 §4.2.3).
                return 0;
            }

            target = target[(authority + slash)..];
        }

        if (target.IsEmpty || target[0] != (byte)'/')
        {
            reason = NotAPath;
            return -1;
        }

        int end = target.IndexOfAny((byte)'?', (byte)'#');
        if (end < 0)
        {
            end = target.Length;
        }

        // Each byte is read before its place is written (written < i), so decoding in place is safe.
        int written = 0;
        for (int i = 1; i < end; i++)
        {
            byte b = target[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= end || !TryHex(target[i + 1], out int high) || !TryHex(target[i + 2], out int low))
                {
                    reason = BadEscape;
                    return -1;
                }

                b = (byte)((high << 4) | low);
                if (b is (byte)'/' or 0)
                {
                    reason = "percent-encoded '/' or NUL: no file name holds one";
                    return -1;
                }

                i += 2;
            }

            path[written++] = b;
        }

        return written;
    }

    /// <summary>Decodes in place: the path is written over the target's first bytes.</summary>
    public static int DecodePath(Span<byte> target, out string? reason) => DecodePath(target, target, out reason);

    /// <summary>The query of a target with its '?' ("?a=1"), or empty.</summary>
    public static ReadOnlySpan<byte> Query(ReadOnlySpan<byte> target)
    {
        int question = target.IndexOf((byte)'?');
        if (question < 0)
        {
            return [];
        }

        int fragment = target[question..].IndexOf((byte)'#');
        return fragment < 0 ? target[question..] : target[question..(question + fragment)];
    }

    /// <summary>
    /// Percent-encodes raw name bytes for a URI path: every byte but the unreserved characters
    /// (RFC 3986 §2.3), and '/' when <paramref name="keepSlashes"/>. Works on bytes, not text, so a
    /// name that is not UTF-8 gets a link that decodes back to exactly its bytes.
    /// </summary>
    public static string Encode(ReadOnlySpan<byte> name, bool keepSlashes = false)
    {
        var builder = new StringBuilder(name.Length + 16);
        foreach (byte b in name)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' || (keepSlashes && b == (byte)'/'))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    /// <summary>A query as sent, with only the bytes a URI cannot hold (above 0x7E: raw UTF-8 some clients send) percent-encoded.</summary>
    public static string EncodeQuery(ReadOnlySpan<byte> query)
    {
        var builder = new StringBuilder(query.Length + 8);
        foreach (byte b in query)
        {
            if (b is > 0x20 and < 0x7F)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    private static bool StartsIgnoreCase(ReadOnlySpan<byte> target, ReadOnlySpan<byte> prefix) =>
        target.Length >= prefix.Length && Ascii.EqualsIgnoreCase(target[..prefix.Length], prefix);

    private static bool TryHex(byte c, out int value)
    {
        value = c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
