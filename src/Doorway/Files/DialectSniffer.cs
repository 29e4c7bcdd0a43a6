using Doorway.Http;

namespace Doorway.Files;

/// <summary>
/// Tells the file door's two dialects apart by a connection's first bytes: the start of an HTTP
/// request line (<see cref="HttpRequestStart"/>) is HTTP; anything else is a file name in the
/// seed's raw dialect.
/// </summary>
internal static class DialectSniffer
{
    public static Dialect Sniff(ReadOnlySpan<byte> bytes) => HttpRequestStart.Check(bytes) switch
    {
        HttpStart.Http => Dialect.Http,
        HttpStart.NotHttp => Dialect.Seed,
        _ => Dialect.Unknown,
    };
}
