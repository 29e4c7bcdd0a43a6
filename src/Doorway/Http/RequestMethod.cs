namespace Doorway.Http;

/// <summary>
/// A request's method, as the session and its responders tell them apart: the methods of RFC 9110
/// §9.3 and PATCH (RFC 5789), matched case-sensitively (§9.1: "get" is not GET). Any other token
/// is <see cref="Other"/>, a method this server does not know (501, §15.6.2), and its text is in
/// <see cref="HttpRequest.MethodText"/>.
/// </summary>
internal enum RequestMethod
{
    Get,

    /// <summary>Answered like GET without the content (RFC 9110 §9.3.2); the response drops the body itself.</summary>
    Head,

    Post,
    Put,
    Delete,

    /// <summary>Its target is in authority form, host:port (RFC 9112 §3.2.3).</summary>
    Connect,

    /// <summary>The only method whose target may be "*" (RFC 9112 §3.2.4).</summary>
    Options,

    Trace,
    Patch,

    /// <summary>A well-formed method that is none of the above: not one this server knows.</summary>
    Other,
}
