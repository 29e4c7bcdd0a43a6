namespace Doorway.Http;

/// <summary>
/// What a door serves over HTTP: answers one request at a time. <see cref="Http1Session"/> owns the
/// connection (parsing, keep-alive, pipelining, timeouts, errors, framing); a responder sees only
/// the request and writes the response.
/// <para>The contract:</para>
/// <list type="bullet">
/// <item>Send exactly one response: <see cref="HttpResponse.Start"/>, header fields, then one of
/// <see cref="HttpResponse.SendAsync"/>, <see cref="HttpResponse.SendFileAsync"/>,
/// <see cref="HttpResponse.SendErrorAsync"/>, or <see cref="HttpResponse.WriteAsync"/> …
/// <see cref="HttpResponse.CompleteAsync"/> (a streamed response left incomplete is completed
/// for it). Returning without a response gets the client a 500 and the connection closed.</item>
/// <item>HEAD is answered like GET: the response drops the content itself.</item>
/// <item>Read <see cref="HttpRequest.Body"/> or leave it: the session drops unread content. Let an
/// <see cref="HttpBodyException"/> propagate: the session answers it (413, 400) and closes.</item>
/// <item>The request's bytes are valid until the method returns; copy what must outlive it.</item>
/// <item>An exception before any byte of the response was sent is a 500 and a closed connection;
/// after that, the connection is ended (the framing can no longer be trusted).</item>
/// <item><paramref name="cancellationToken"/> is signalled when the door begins to stop: a long
/// answer (a stream, a long poll) ends early; a bounded one may finish (the door's drain timeout
/// bounds it), and the session closes the connection after it.</item>
/// <item>It may run on the socket engine's threads when the door dispatches inline: a responder that blocks
/// (the file system, hashing) belongs on a door that dispatches to the thread pool.</item>
/// </list>
/// </summary>
internal interface IHttpResponder
{
    ValueTask AnswerAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken);
}
