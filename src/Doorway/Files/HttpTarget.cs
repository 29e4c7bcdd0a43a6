namespace Doorway.Files;

/// <summary>The file path in an HTTP request target ("/a/b%20c?q"), percent-decoded for the file root.</summary>
internal static class HttpTarget
{
    /// <summary>The reason for a target that is no path at all (400, not 404).</summary>
    public const string NotAPath = "not an origin-form or absolute-form target";

    /// <summary>
    /// Decodes the path of <paramref name="target"/> into <paramref name="path"/> (at least as long;
    /// it may be <paramref name="target"/> itself) and returns its length, without the leading '/'.
    /// Returns -1 with a reason when the target is refused: not origin or absolute form
    /// (RFC 9112 §3.2), a bad escape, or an escape that spells '/', '\', '.' or NUL (encoded
    /// separators and dots exist only to get past a check, so nothing honest needs them). An
    /// encoded '%' is kept: the file root refuses a name that still holds an escape after this
    /// one decoding (double encoding).
    /// </summary>
    public static int DecodePath(ReadOnlySpan<byte> target, Span<byte> path, out string? reason)
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

            path[written++] = b;
        }

        return written;
    }

    /// <summary>Decodes in place: the path is written over the target's first bytes.</summary>
    public static int DecodePath(Span<byte> target, out string? reason) => DecodePath(target, target, out reason);

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
