using System.Text;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Http;

/// <summary>
/// HTTP/1.1 as a door's last step: each connection gets an <see cref="Http1Session"/> that answers
/// its requests with one <see cref="IHttpResponder"/>. One per door; what it holds is shared by all
/// its connections and never changes.
/// </summary>
internal sealed class Http1ConnectionHandler : IConnectionHandler
{
    public Http1ConnectionHandler(IHttpResponder responder, HttpLimits limits, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(responder);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(logger);
        limits.Validate();
        Responder = responder;
        Limits = limits;
        Logger = logger;
        ServerName = Encoding.ASCII.GetBytes(limits.ServerName);
        // The longest head, its line ends, and, when bodies are taken, room for a chunked body's framing lines behind it.
        RequestBufferBytes = limits.MaxRequestLineBytes + limits.MaxHeaderBytes + 4
            + (limits.MaxRequestBodyBytes > 0 ? HttpRequestBody.MaxChunkLineBytes : 0);
    }

    public IHttpResponder Responder { get; }

    public HttpLimits Limits { get; }

    public ILogger Logger { get; }

    internal ReadOnlyMemory<byte> ServerName { get; }

    internal int RequestBufferBytes { get; }

    /// <summary>
    /// Serves one connection until either side ends it. On a stop, the response being sent is
    /// finished with Connection: close; a connection between requests is closed.
    /// </summary>
    public Task OnConnectedAsync(Connection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Info.Protocol = "http";
        // The session's own task, not one awaited here: an idle connection holds one async frame
        // fewer (128 bytes; issue 11). RunAsync disposes the session when it ends.
        return new Http1Session(this, connection, stopping).RunAsync();
    }
}
