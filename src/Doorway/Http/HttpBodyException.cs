namespace Doorway.Http;

/// <summary>
/// A request body that cannot be read as framed: malformed chunked framing (400), more than the
/// door takes (413), trailers too large (431), or the client's end in the middle (400). Thrown by
/// <see cref="HttpRequestBody.ReadAsync"/>; a responder lets it propagate, and the session answers
/// with <see cref="Status"/> (if no response has begun) and closes the connection.
/// </summary>
internal sealed class HttpBodyException : IOException
{
    public HttpBodyException(int status, string reason)
        : base(reason)
    {
        Status = status;
    }

    public HttpBodyException()
        : this(400, "malformed request body")
    {
    }

    public HttpBodyException(string message)
        : this(400, message)
    {
    }

    public HttpBodyException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 400;
    }

    public int Status { get; }
}
