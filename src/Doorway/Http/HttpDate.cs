using System.Buffers.Text;

namespace Doorway.Http;

/// <summary>IMF-fixdate (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT", formatted and parsed without allocating.</summary>
internal static class HttpDate
{
    public const int Length = 29;

    public static int Format(DateTimeOffset time, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(time.ToUniversalTime(), destination, out int written, 'R');
        return written;
    }

    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset time) =>
        Utf8Parser.TryParse(text, out time, out int consumed, 'R') && consumed == text.Length;

    /// <summary>Whole seconds, the precision an HTTP date carries.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
