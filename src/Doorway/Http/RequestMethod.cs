namespace Doorway.Http;

/// <summary>The methods a session itself treats differently; any other is <see cref="Other"/> and its text is in the request.</summary>
internal enum RequestMethod
{
    Get,

    /// <summary>Answered like GET without the content (RFC 9110 §9.3.2); the response drops the body itself.</summary>
    Head,

    /// <summary>Any other well-formed method (see <see cref="HttpRequest.MethodText"/>).</summary>
    Other,
}
