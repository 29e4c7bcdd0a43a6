namespace Doorway.Http;

/// <summary>Status codes as a session and its responders use them (RFC 9110 §15).</summary>
internal static class HttpStatus
{
    public static ReadOnlySpan<byte> ReasonPhrase(int status) => status switch
    {
        100 => "Continue"u8,
        200 => "OK"u8,
        201 => "Created"u8,
        202 => "Accepted"u8,
        203 => "Non-Authoritative Information"u8,
        204 => "No Content"u8,
        206 => "Partial Content"u8,
        300 => "Multiple Choices"u8,
        301 => "Moved Permanently"u8,
        302 => "Found"u8,
        303 => "See Other"u8,
        304 => "Not Modified"u8,
        307 => "Temporary Redirect"u8,
        308 => "Permanent Redirect"u8,
        400 => "Bad Request"u8,
        401 => "Unauthorized"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        408 => "Request Timeout"u8,
        409 => "Conflict"u8,
        410 => "Gone"u8,
        411 => "Length Required"u8,
        412 => "Precondition Failed"u8,
        413 => "Content Too Large"u8,
        414 => "URI Too Long"u8,
        416 => "Range Not Satisfiable"u8,
        417 => "Expectation Failed"u8,
        429 => "Too Many Requests"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        501 => "Not Implemented"u8,
        502 => "Bad Gateway"u8,
        503 => "Service Unavailable"u8,
        504 => "Gateway Timeout"u8,
        505 => "HTTP Version Not Supported"u8,
        508 => "Loop Detected"u8,
        _ => "Unknown"u8,
    };

    /// <summary>RFC 9110 §6.4.1 and §8.6: 1xx, 204 and 304 have no content and no Content-Length.</summary>
    public static bool HasNoContent(int status) => status is < 200 or 204 or 304;

    /// <summary>The status a parse failure is answered with.</summary>
    public static int For(HttpParseStatus status) => status switch
    {
        HttpParseStatus.UriTooLong => 414,
        HttpParseStatus.HeadersTooLarge => 431,
        HttpParseStatus.VersionNotSupported => 505,
        _ => 400,
    };
}
