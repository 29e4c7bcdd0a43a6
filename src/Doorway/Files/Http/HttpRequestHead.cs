namespace Doorway.Files.Http;

/// <summary>
/// A parsed request head. Text fields are ranges into the receive buffer, so parsing copies and
/// allocates nothing; they are valid until the buffer moves on to the next request.
/// </summary>
internal struct HttpRequestHead
{
    public RequestMethod Method;
    public Range MethodText;
    public Range Target;

    /// <summary>10 for HTTP/1.0, 11 for HTTP/1.1.</summary>
    public int Version;

    /// <summary>Bytes of the head, request line through the empty line.</summary>
    public int Length;

    public bool HasHost;
    public bool ConnectionClose;
    public bool ConnectionKeepAlive;

    /// <summary>-1 when absent.</summary>
    public long ContentLength;
    public bool HasTransferEncoding;

    public Range IfNoneMatch;
    public Range IfModifiedSince;
    public Range RangeHeader;
    public Range IfRange;

    /// <summary>Why the head was refused, for the log (a constant, never allocated).</summary>
    public string? Error;

    public readonly bool KeepAlive => Version >= 11 ? !ConnectionClose : ConnectionKeepAlive && !ConnectionClose;

    public readonly bool HasBody => HasTransferEncoding || ContentLength > 0;
}
