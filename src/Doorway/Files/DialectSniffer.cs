using Doorway.Http;

namespace Doorway.Files;

/// <summary>
/// Tells the file door's two dialects apart by a connection's first bytes: anything shaped like an
/// HTTP request line (<see cref="HttpRequestStart"/>) is HTTP, so the parser answers it even when
/// it is malformed; only what cannot be HTTP is a file name in the seed's raw dialect.
/// </summary>
internal static class DialectSniffer
{
    /// <param name="quiet">No more bytes are waiting now.</param>
    /// <param name="final">No more bytes will be looked at: decide.</param>
    public static Dialect Sniff(ReadOnlySpan<byte> bytes, bool quiet = false, bool final = false) => HttpRequestStart.Check(bytes, quiet, final) switch
    {
        HttpStart.Http => Dialect.Http,
        HttpStart.NotHttp => Dialect.Seed,
        _ => Dialect.Unknown,
    };
}
