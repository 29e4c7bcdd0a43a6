namespace Doorway.Files;

/// <summary>Limits of the file door's request parsing, with the defaults `serve` uses.</summary>
public sealed record FileDoorOptions
{
    public static FileDoorOptions Default { get; } = new();

    /// <summary>
    /// Longest HTTP request line (and longest seed-dialect name), in bytes; longer gets 414 (--max-request-line).
    /// 8 KiB is what common servers allow (nginx's large_client_header_buffers).
    /// </summary>
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;

    /// <summary>Largest HTTP header section after the request line, in bytes; larger gets 431 (--max-header-bytes).</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>Most header fields in one request; more gets 431.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>
    /// Time from a request's first byte to its complete head; after it, 408 and close (--request-timeout).
    /// A connection that sends nothing is left to the transport's idle timeout.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>File versions whose SHA-256 is remembered (--digest-cache).</summary>
    public int DigestCacheEntries { get; init; } = 1024;
}
