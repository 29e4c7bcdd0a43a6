namespace Doorway.Http;

/// <summary>
/// What the parser found in a request head that the session itself needs. Text is kept as
/// ranges from the head's first byte, so parsing copies and allocates nothing; every field,
/// these included, is also in <see cref="HttpHeaders"/>.
/// </summary>
internal struct HttpRequestHead
{
    public RequestMethod Method;
    public Range MethodText;
    public Range Target;
    public HttpTargetForm TargetForm;

    /// <summary>10 for HTTP/1.0, 11 for HTTP/1.1 (and any later HTTP/1.x, read as 1.1).</summary>
    public int Version;

    /// <summary>Bytes of the head, any empty lines before the request line through the empty line that ends it.</summary>
    public int Length;

    public int FieldCount;

    public bool HasHost;
    public bool ConnectionClose;
    public bool ConnectionKeepAlive;

    /// <summary>-1 when absent.</summary>
    public long ContentLength;

    /// <summary>Transfer-Encoding field lines; the session refuses more than one (RFC 9112 §6.1).</summary>
    public int TransferEncodingCount;

    /// <summary>The first Transfer-Encoding field's value.</summary>
    public Range TransferEncoding;

    /// <summary>Why the head was refused, for the log (a constant, never allocated).</summary>
    public string? Error;

    /// <summary>RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".</summary>
    public readonly bool KeepAlive => Version >= 11 ? !ConnectionClose : ConnectionKeepAlive && !ConnectionClose;

    /// <summary>RFC 9112 §6.3: content follows if Transfer-Encoding is present or Content-Length is above 0.</summary>
    public readonly bool HasBody => TransferEncodingCount > 0 || ContentLength > 0;
}
