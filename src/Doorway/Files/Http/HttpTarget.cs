namespace Doorway.Files.Http;

/// <summary>The path of an origin-form request target ("/a/b%20c?q"), percent-decoded in place.</summary>
internal static class HttpTarget
{
    /// <summary>The reason for a target that is no path at all (400, not 404).</summary>
    public const string NotAPath = "not an origin-form or absolute-form target";

    /// <summary>
    /// Decodes the path of <paramref name="target"/> into its own first bytes and returns its length,
    /// without the leading '/'. Returns -1 with a reason when the target is refused: not origin or absolute form,
    /// a bad escape, or an escape that spells '/', '\', '.' or NUL (encoded separators and dots exist
    /// only to get past a check, so nothing honest needs them). An encoded '%' is kept: the file
    /// root refuses a name that still holds an escape after this one decoding (double encoding).
    /// </summary>
    public static int DecodePath(Span<byte> target, out string? reason)
    {
        reason = null;
        // Absolute form (RFC 9112 §3.2.2), which servers must accept: the path after the authority.
        if (target.StartsWith("http://"u8) || target.StartsWith("https://"u8))
        {
            int authority = target.IndexOf("//"u8) + 2;
            int slash = target[authority..].IndexOf((byte)'/');
            if (slash < 0)
            {
                return 0;
            }

            var path = target[(authority + slash)..];
            path.CopyTo(target);
            target = target[..path.Length];
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

        int written = 0;
        for (int i = 1; i < end; i++)
        {
            byte b = target[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= end || !TryHex(target[i + 1], out int high) || !TryHex(target[i + 2], out int low))
                {
                    reason = "bad percent escape";
                    return -1;
                }

                b = (byte)((high << 4) | low);
                if (b is (byte)'/' or (byte)'\\' or (byte)'.' or 0)
                {
                    reason = "percent-encoded separator, dot or NUL";
                    return -1;
                }

                i += 2;
            }

            target[written++] = b;
        }

        return written;
    }

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
