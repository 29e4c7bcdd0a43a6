namespace Doorway.Files;

internal enum Dialect
{
    Unknown,
    Seed,
    Http,
}

/// <summary>
/// Tells the two dialects apart by a connection's first bytes: an HTTP request line starts
/// with a method token (upper-case letters), one space, and a target ('/', '*' or an absolute
/// "http..." URI). Anything else is a file name in the seed's dialect.
/// </summary>
internal static class DialectSniffer
{
    /// <summary>Longest method recognized (longer is a seed name); the registered methods are shorter.</summary>
    public const int MaxMethodLength = 20;

    public static Dialect Sniff(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length && i <= MaxMethodLength && bytes[i] is >= (byte)'A' and <= (byte)'Z')
        {
            i++;
        }

        if (i == bytes.Length)
        {
            return i > MaxMethodLength ? Dialect.Seed : Dialect.Unknown;
        }

        if (i == 0 || i > MaxMethodLength || bytes[i] != (byte)' ')
        {
            return Dialect.Seed;
        }

        if (i + 1 == bytes.Length)
        {
            return Dialect.Unknown;
        }

        return bytes[i + 1] is (byte)'/' or (byte)'*' or (byte)'h' ? Dialect.Http : Dialect.Seed;
    }
}
