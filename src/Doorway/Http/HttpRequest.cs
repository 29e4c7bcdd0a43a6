using Doorway.Transport;

namespace Doorway.Http;

/// <summary>
/// The request being answered, as a responder sees it: method, target, version, every header
/// field, and the content as a reader. The text is the request's own bytes (nothing is copied or
/// decoded), valid until the responder returns; read-only, since the session logs the target after.
/// One per connection, reused for each request.
/// </summary>
internal sealed class HttpRequest
{
    private readonly RequestBuffer _buffer;
    private readonly HttpRequestParser _parser;
    private readonly Connection _connection;

    internal HttpRequest(Connection connection, RequestBuffer buffer, HttpRequestParser parser, HttpRequestBody body)
    {
        _connection = connection;
        Connection = connection.Info;
        _buffer = buffer;
        _parser = parser;
        Body = body;
    }

    /// <summary>Who asked (id, endpoints), for logs and pages; the connection itself stays the session's.</summary>
    public ConnectionInfo Connection { get; }

    public RequestMethod Method => _parser.Head.Method;

    /// <summary>The method as sent (a token, RFC 9110 §9.1; case-sensitive).</summary>
    public ReadOnlySpan<byte> MethodText => _buffer.Head[_parser.Head.MethodText];

    /// <summary>The request target as sent: origin form "/a/b?q", absolute form "http://h/a", "*" or authority form (RFC 9112 §3.2).</summary>
    public ReadOnlySpan<byte> Target => _buffer.Head[_parser.Head.Target];

    /// <summary>Which of the four forms <see cref="Target"/> is in; the parser has checked that the method allows it.</summary>
    public HttpTargetForm TargetForm => _parser.Head.TargetForm;

    /// <summary>10 for HTTP/1.0, 11 for HTTP/1.1 (and any later HTTP/1.x, read as 1.1).</summary>
    public int Version => _parser.Head.Version;

    public HttpHeaders Headers => _parser.Headers(_buffer.Head);

    /// <summary>Whether the client asked to keep the connection (RFC 9112 §9.3); the response may still close it.</summary>
    public bool KeepAlive => _parser.Head.KeepAlive;

    /// <summary>
    /// The content. Unread content is read and dropped by the session after the response (within
    /// the body limit and the request timeout), or the connection is closed: it is never taken for the next request.
    /// </summary>
    public HttpRequestBody Body { get; }

    internal ref readonly HttpRequestHead Head => ref _parser.Head;

    /// <summary>
    /// For a CONNECT answered with <see cref="HttpResponse.StartTunnelAsync"/> (RFC 9110 §9.3.6):
    /// the connection itself, to carry the tunnel's bytes both ways, replaying first whatever the
    /// client sent after the request head. The session closes it once the responder returns.
    /// </summary>
    internal Connection TakeTunnel()
    {
        if (Method != RequestMethod.Connect)
        {
            throw new InvalidOperationException("only a CONNECT request becomes a tunnel");
        }

        var unread = _buffer.Unread;
        if (unread.IsEmpty)
        {
            return _connection;
        }

        byte[] prefix = System.Buffers.ArrayPool<byte>.Shared.Rent(unread.Length);
        unread.CopyTo(prefix);
        int count = unread.Length;
        _buffer.Consume(count);
        return new PrefixConnection(_connection, prefix, count, endOfStream: false);
    }
}
