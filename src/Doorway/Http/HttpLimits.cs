namespace Doorway.Http;

/// <summary>
/// What one HTTP/1.1 connection may make the server hold or wait for, and what the server calls
/// itself. One record per door; every limit is checked before the bytes it bounds are accepted.
/// </summary>
public sealed record HttpLimits
{
    public static HttpLimits Default { get; } = new();

    /// <summary>
    /// Longest request line, in bytes; longer gets 414 (RFC 9112 §3: a server that receives a
    /// target longer than it wishes to parse responds 414). 8 KiB is what common servers allow
    /// (nginx's large_client_header_buffers) and RFC 9112 §3 recommends as a minimum.
    /// </summary>
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;

    /// <summary>Largest header section after the request line, in bytes; larger gets 431 (RFC 6585 §5).</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>Most header fields in one request; more gets 431. Also the size of the table that records them.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>
    /// Time from a request's first byte to its complete head; after it, 408 and close. A quiet
    /// keep-alive connection is left to the transport's idle timeout.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Largest request content (after chunked decoding) a responder may be handed; a larger
    /// Content-Length, or a chunked body that grows past it, gets 413 and close.
    /// <para>
    /// 0, the default, means the door takes no content at all: a responder that reads some gets
    /// 413. A request that announces content is still answered (a POST to a file door gets 405
    /// with Allow, RFC 9110 §15.5.6), then its content is read and dropped if it is a
    /// Content-Length body of at most <see cref="MaxDiscardedBodyBytes"/>, or else the connection
    /// closes after the answer, so framing nobody reads can never carry a smuggled request. A door
    /// whose responder wants bodies (a form, a proxied POST) says how much it can take; nginx's
    /// client_max_body_size of 1 MiB is a fair choice then.
    /// </para>
    /// </summary>
    public long MaxRequestBodyBytes { get; init; }

    /// <summary>
    /// Largest Content-Length body that a door taking no content reads and drops after answering,
    /// to keep the connection; a larger one (or a chunked one) ends the connection after the
    /// answer instead. 1 MiB, nginx's default client_max_body_size: what a client that POSTs to a
    /// download server typically sends, read in well under the request timeout.
    /// </summary>
    public long MaxDiscardedBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>The product name sent in every response's Server field (RFC 9110 §10.2.4).</summary>
    public string ServerName { get; init; } = "doorway";

    /// <summary>Throws for limits a session cannot work with; the messages name these options.</summary>
    internal void Validate()
    {
        if (MaxRequestLineBytes < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestLineBytes), MaxRequestLineBytes, "the maximum request line must be at least 64 bytes");
        }

        if (MaxHeaderBytes < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxHeaderBytes), MaxHeaderBytes, "the maximum header section must be at least 64 bytes");
        }

        if (MaxHeaderCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxHeaderCount), MaxHeaderCount, "the maximum header count must be at least 1");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "the request timeout must be positive");
        }

        if (MaxRequestBodyBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, "the maximum request body must be 0 (none) or more");
        }

        if (MaxDiscardedBodyBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDiscardedBodyBytes), MaxDiscardedBodyBytes, "the maximum discarded body must be 0 (none) or more");
        }

        if (string.IsNullOrEmpty(ServerName) || ServerName.Any(c => c is <= ' ' or > '~'))
        {
            throw new ArgumentException("the server name must be visible ASCII without spaces (RFC 9110 §10.2.4)", nameof(ServerName));
        }
    }
}
