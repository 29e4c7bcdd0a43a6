using Doorway.Http;

namespace Doorway.Files;

/// <summary>
/// The file door's limits, with the defaults `serve` uses. The HTTP ones live in <see cref="Http"/>;
/// the properties here read and set them, and the raw dialect shares the request line and the request timeout.
/// </summary>
public sealed record FileDoorOptions
{
    public static FileDoorOptions Default { get; } = new();

    /// <summary>What an HTTP connection to the door may send; no request content (the door only reads).</summary>
    public HttpLimits Http { get; init; } = HttpLimits.Default;

    /// <summary>Longest HTTP request line (and longest raw-dialect name), in bytes; longer gets 414 (raw: closed).</summary>
    public int MaxRequestLineBytes
    {
        get => Http.MaxRequestLineBytes;
        init => Http = Http with { MaxRequestLineBytes = value };
    }

    /// <summary>Largest HTTP header section after the request line, in bytes; larger gets 431.</summary>
    public int MaxHeaderBytes
    {
        get => Http.MaxHeaderBytes;
        init => Http = Http with { MaxHeaderBytes = value };
    }

    /// <summary>Most header fields in one request; more gets 431.</summary>
    public int MaxHeaderCount
    {
        get => Http.MaxHeaderCount;
        init => Http = Http with { MaxHeaderCount = value };
    }

    /// <summary>
    /// Time from a request's first byte to its complete head (or raw-dialect name, or the bytes
    /// that tell the dialect); after it, 408 and close (raw: closed). A connection that sends
    /// nothing is left to the transport's idle timeout.
    /// </summary>
    public TimeSpan RequestTimeout
    {
        get => Http.RequestTimeout;
        init => Http = Http with { RequestTimeout = value };
    }

    /// <summary>File versions whose SHA-256 is remembered.</summary>
    public int DigestCacheEntries { get; init; } = 1024;

    /// <summary>Bytes per second all hashing together may read (a file that keeps changing can't eat the CPU).</summary>
    public long DigestBytesPerSecond { get; init; } = DigestCacheOptions.Default.HashBytesPerSecond;

    /// <summary>Directory pages kept rendered (per directory version).</summary>
    public int ListingCachePages { get; init; } = ListingCacheOptions.Default.Capacity;

    /// <summary>Bytes all kept directory pages may take together.</summary>
    public long ListingCacheBytes { get; init; } = ListingCacheOptions.Default.MaxBytes;

    /// <summary>
    /// How long a browser or cache may use a file without asking again (Cache-Control: max-age,
    /// RFC 9111 §5.2.2.1). Null, the default, sends no-cache: a cache may keep the file but
    /// revalidates it (If-None-Match) before each use, so a changed file is never served stale.
    /// Listings are always no-cache: they have no validator, and they change with any entry.
    /// </summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>
    /// Most ranges of one Range header answered as multipart/byteranges (after overlapping ones are
    /// merged); a header with more is ignored and the whole file sent (RFC 9110 §14.2 lets a server
    /// ignore a request for many small ranges, a denial-of-service pattern). 16: a download manager
    /// asks for a handful; Apache's MaxRanges is 200, a generous bound for a server that reads each part.
    /// </summary>
    public int MaxRanges { get; init; } = 16;
}
