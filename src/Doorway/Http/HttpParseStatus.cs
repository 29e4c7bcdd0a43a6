namespace Doorway.Http;

internal enum HttpParseStatus
{
    /// <summary>A whole request head was parsed.</summary>
    Complete,

    /// <summary>More bytes are needed.</summary>
    Incomplete,

    /// <summary>400: malformed.</summary>
    BadRequest,

    /// <summary>414: the request line is longer than the limit.</summary>
    UriTooLong,

    /// <summary>431: the header section is larger (or has more fields) than the limit.</summary>
    HeadersTooLarge,

    /// <summary>505: a well-formed version other than HTTP/1.0 and HTTP/1.1.</summary>
    VersionNotSupported,
}
