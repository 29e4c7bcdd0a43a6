using System.Runtime.CompilerServices;
using System.Text;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Http;

/// <summary>
/// One HTTP/1.1 connection (RFC 9112): request heads parsed as they arrive, answered in order by
/// the door's responder (pipelined requests included), kept open for HTTP/1.1 unless either side
/// says close (§9.3), ended with a lingering close (§9.6). Malformed heads get 400/414/431/505, a
/// head not complete within the request timeout 408, content over the limit 413, a transfer coding
/// it does not know 501; all of them with Connection: close. Content the door does not take is
/// drained after the responder's answer (up to <see cref="HttpLimits.MaxDiscardedBodyBytes"/>), or
/// the connection closes after it. Between requests the session holds no buffer: the request
/// buffer, the header table and the response head buffer are all back in their pools.
/// </summary>
internal sealed class Http1Session : IDisposable
{
    /// <summary>
    /// An answer once begun is not cut short by a stop: the door's drain timeout bounds it, and
    /// then the transport closes the connection, which ends any send.
    /// </summary>
    private static readonly CancellationToken Exchange = CancellationToken.None;

    private readonly Http1ConnectionHandler _server;
    private readonly Connection _connection;
    private readonly CancellationToken _stopping;
    private readonly RequestBuffer _buffer;
    private readonly HttpRequestParser _parser;
    private readonly HttpResponse _response;
    private readonly HttpRequestBody _body;
    private readonly HttpRequest _request;

    /// <summary>When the current request's head was complete: the access log's time runs from here to the response's end.</summary>
    private long _headRead;

    public Http1Session(Http1ConnectionHandler server, Connection connection, CancellationToken stopping)
    {
        _server = server;
        _connection = connection;
        _stopping = stopping;
        _buffer = new RequestBuffer(server.RequestBufferBytes);
        _parser = new HttpRequestParser(server.Limits);
        _response = new HttpResponse(connection, server.ServerName, stopping);
        _body = new HttpRequestBody(connection, _buffer, server.Limits, _response);
        _request = new HttpRequest(connection, _buffer, _parser, _body);
    }

    /// <summary>Pooled buffers held now (request bytes, header table, response head): 0 while the connection waits.</summary>
    internal int BuffersHeld => (_buffer.HoldsArray ? 1 : 0) + (_parser.HoldsFields ? 1 : 0) + (_response.HoldsBuffer ? 1 : 0);

    /// <summary>Requests answered so far.</summary>
    internal long Requests { get; private set; }

    private ILogger Logger => _server.Logger;

    private HttpLimits Limits => _server.Limits;

    /// <summary>Serves requests until the connection or the door ends, then disposes the session.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (true)
            {
                // Between requests the wait for the client's next bytes is here, in the one frame
                // an idle connection holds, not inside ReadHeadAsync (152 bytes less; issue 11).
                bool waited = false;
                if (_buffer.Count == 0)
                {
                    // Idle: every pooled buffer goes back until the client speaks again.
                    _connection.Timeouts.ClearDeadline();
                    _parser.Release();
                    _buffer.ReleaseIfEmpty();
                    try
                    {
                        await _connection.WaitForDataAsync(_stopping);
                    }
                    catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                    {
                        return;
                    }

                    waited = true;
                }

                var status = await ReadHeadAsync(waited);
                _headRead = System.Diagnostics.Stopwatch.GetTimestamp();
                if (status == HttpParseStatus.Incomplete)
                {
                    // The client closed, the door is stopping between requests, or a 408 was sent.
                    return;
                }

                if (status != HttpParseStatus.Complete)
                {
                    await RejectAsync(HttpStatus.For(status), _parser.Head.Error ?? "malformed request", version: 11, parsed: false);
                    return;
                }

                _buffer.Hold(_parser.Head.Length);
                bool next = await AnswerAsync();
                Requests++;
                _response.Release();
                _buffer.ReleaseHead();
                _parser.Reset();
                if (!next)
                {
                    return;
                }
            }
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        _response.Release();
        _parser.Dispose();
        _buffer.Dispose();
    }

    /// <summary>
    /// Waits for a whole request head, resuming the parse with each read (the first one at once
    /// when <paramref name="dataWaiting"/>: the session has just waited for the client's bytes).
    /// The request timeout runs from the request's first byte; a quiet keep-alive connection is
    /// left to the transport's idle timeout. Returns Incomplete when the connection ended (or the
    /// door stopped) before a request began, or after a 408.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<HttpParseStatus> ReadHeadAsync(bool dataWaiting)
    {
        var timeouts = _connection.Timeouts;
        bool timing = false;
        try
        {
            if (dataWaiting && await _buffer.FillAsync(_connection, _stopping) == 0)
            {
                // Bytes were waiting (or the end): this read doesn't block, and most requests arrive whole in it.
                return HttpParseStatus.Incomplete;
            }

            while (true)
            {
                var status = _parser.Parse(_buffer.Unread);
                if (status != HttpParseStatus.Incomplete)
                {
                    // Stop the clock for the time the answer takes.
                    timeouts.ClearDeadline();
                    return status;
                }

                // Empty lines before a request line are skipped (RFC 9112 §2.2); a connection that
                // sent nothing else is idle, not inside a request.
                int empty = _parser.TakeEmptyLines();
                if (empty > 0)
                {
                    _buffer.Consume(empty);
                }

                if (_buffer.Count == 0)
                {
                    timeouts.ClearDeadline();
                    timing = false;
                    // Idle: every pooled buffer goes back until the client speaks again.
                    _parser.Release();
                    _buffer.ReleaseIfEmpty();
                    await _connection.WaitForDataAsync(_stopping);

                    // Bytes are waiting, so this read doesn't block; most requests arrive whole in it
                    // and never need the clock.
                    if (await _buffer.FillAsync(_connection, _stopping) == 0)
                    {
                        return HttpParseStatus.Incomplete;
                    }

                    continue;
                }

                if (!timing)
                {
                    timeouts.SetDeadline(Limits.RequestTimeout, TimeoutReason.RequestHead);
                    timing = true;
                }

                if (await _buffer.FillAsync(_connection, timeouts.Token) == 0)
                {
                    return HttpParseStatus.Incomplete;
                }
            }
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            timeouts.ClearDeadline();
            if (_buffer.Count > 0)
            {
                await RejectAsync(408, "request not complete within the request timeout", version: 11, parsed: false);
            }

            return HttpParseStatus.Incomplete;
        }
        catch (OperationCanceledException)
        {
            return HttpParseStatus.Incomplete;
        }
    }

    /// <summary>Answers the parsed request; false when the connection ends after it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AnswerAsync()
    {
        int version = _parser.Head.Version;
        string? refusal = CheckFraming(out int refusalStatus);
        if (refusal is not null)
        {
            await RejectAsync(refusalStatus, refusal, version, parsed: true);
            return false;
        }

        var expectation = ReadExpectation();
        _body.Start(_parser.Head, expectation == Expectation.Continue, accepted: Limits.MaxRequestBodyBytes > 0);
        bool keepAlive = _parser.Head.KeepAlive && !_stopping.IsCancellationRequested;
        _response.Begin(version, _parser.Head.Method == RequestMethod.Head, keepAlive, _body);
        if (expectation == Expectation.Unknown)
        {
            // RFC 9110 §10.1.1: an expectation other than 100-continue cannot be met: 417. The
            // request is otherwise sound, so the connection goes on (its content is drained or it closes).
            HttpLog.Rejected(Logger, _connection.Id, _connection.RemoteEndPoint, 417, "an expectation other than 100-continue");
            await _response.SendErrorAsync(417, Exchange);
        }
        else
        {
            try
            {
                await _server.Responder.AnswerAsync(_request, _response, _stopping);
            }
            catch (HttpBodyException e) when (!_response.HasSent)
            {
                await RejectAsync(e.Status, e.Message, version, parsed: true);
                return false;
            }
            catch (HttpBodyException e)
            {
                // Content failed after the response went out: its framing may be broken, so the connection ends.
                HttpLog.Rejected(Logger, _connection.Id, _connection.RemoteEndPoint, e.Status, e.Message);
                _connection.Abort();
                return false;
            }
            catch (Exception e) when (!_response.HasSent && !NetworkErrors.IsNetworkEnd(e))
            {
                HttpLog.ResponderFailed(Logger, e, _connection.Id, _connection.RemoteEndPoint);
                await RejectAsync(500, "the responder failed", version, parsed: true);
                return false;
            }
        }

        if (!_response.HasStarted)
        {
            HttpLog.NoResponse(Logger, _connection.Id, _connection.RemoteEndPoint);
            await RejectAsync(500, "no response", version, parsed: true);
            return false;
        }

        if (!_response.IsCompleted)
        {
            await _response.CompleteAsync(Exchange);
        }

        Served(parsed: true);
        bool next = _response.KeepAlive && !_stopping.IsCancellationRequested;
        if (next && !_body.IsComplete)
        {
            next = await DrainAsync();
        }

        if (!next)
        {
            _response.Release();
            await LingeringClose.RunAsync(_connection);
        }

        return next;
    }

    /// <summary>
    /// How the content is framed, RFC 9112 §6.1 and §6.3; null when the request can be answered,
    /// else why not (with the status to answer it with). The connection closes after any refusal:
    /// content whose framing is refused cannot be skipped safely. Content that is framed soundly
    /// but that the door does not take (no body limit) is not refused here: the responder answers
    /// the request (405 for a POST), and the content is drained after it or the connection closes.
    /// </summary>
    private string? CheckFraming(out int status)
    {
        ref readonly var head = ref _parser.Head;
        status = 400;
        if (head.TransferEncodingCount > 0)
        {
            if (head.Version < 11)
            {
                // §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
                return "Transfer-Encoding in an HTTP/1.0 request";
            }

            if (head.TransferEncodingCount > 1)
            {
                return "more than one Transfer-Encoding";
            }

            var codings = _buffer.Head[head.TransferEncoding];
            if (Ascii.EqualsIgnoreCase(codings, "chunked"u8))
            {
                return null;
            }

            int lastComma = codings.LastIndexOf((byte)',');
            if (lastComma < 0 || !Ascii.EqualsIgnoreCase(codings[(lastComma + 1)..].Trim(" \t"u8), "chunked"u8))
            {
                // §6.3: without chunked last, the content's length cannot be known: 400 and close (a MUST,
                // which wins over §6.1's 501 for a coding not understood).
                return "chunked is not the final transfer coding";
            }

            // §6.1: a coding the server does not understand (gzip before chunked) SHOULD get 501.
            status = 501;
            return "transfer coding not implemented";
        }

        if (Limits.MaxRequestBodyBytes > 0 && head.ContentLength > Limits.MaxRequestBodyBytes)
        {
            // RFC 9110 §15.5.14: refused before a byte of it is read.
            status = 413;
            return "request body larger than the maximum request body";
        }

        return null;
    }

    /// <summary>
    /// RFC 9110 §10.1.1: what the client's Expect asks. Only HTTP/1.1 counts (a 100-continue in an
    /// HTTP/1.0 request MUST be ignored); 100-continue matters only when content follows.
    /// </summary>
    private Expectation ReadExpectation()
    {
        if (_parser.Head.Version < 11 || !_request.Headers.TryGet("expect"u8, out var expect))
        {
            return Expectation.None;
        }

        var result = Expectation.None;
        foreach (var part in expect.Split((byte)','))
        {
            var member = expect[part].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(member, "100-continue"u8))
            {
                result = _parser.Head.HasBody ? Expectation.Continue : result;
            }
            else if (!member.IsEmpty)
            {
                return Expectation.Unknown;
            }
        }

        return result;
    }

    /// <summary>Reads and drops content the responder left, within the body limit and the request timeout; false: close instead.</summary>
    private async ValueTask<bool> DrainAsync()
    {
        if (!_body.CanDrain)
        {
            return false;
        }

        var timeouts = _connection.Timeouts;
        timeouts.SetDeadline(Limits.RequestTimeout, TimeoutReason.RequestHead);
        try
        {
            await _body.DrainAsync(timeouts.Token);
            return true;
        }
        catch (HttpBodyException e)
        {
            HttpLog.Rejected(Logger, _connection.Id, _connection.RemoteEndPoint, e.Status, e.Message);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            timeouts.ClearDeadline();
        }
    }

    /// <summary>An error that ends the connection: the answer, then close.</summary>
    private async Task RejectAsync(int status, string reason, int version, bool parsed)
    {
        HttpLog.Rejected(Logger, _connection.Id, _connection.RemoteEndPoint, status, reason);
        _response.Release();
        _response.Begin(version, isHead: false, keepAlive: false, body: null);
        await _response.SendErrorAsync(status, Exchange);
        Served(parsed);
        _response.Release();
        await LingeringClose.RunAsync(_connection);
    }

    private enum Expectation
    {
        None,
        Continue,
        Unknown,
    }

    private void Served(bool parsed)
    {
        if (Logger.IsEnabled(LogLevel.Information))
        {
            string method = parsed ? Encoding.ASCII.GetString(_request.MethodText) : "-";
            string target = parsed ? Encoding.ASCII.GetString(_request.Target) : "-";
            double milliseconds = System.Diagnostics.Stopwatch.GetElapsedTime(_headRead).TotalMilliseconds;
            if (parsed && _response.LogNote is { } note)
            {
                HttpLog.ServedWithNote(Logger, _connection.Id, _connection.RemoteEndPoint, method, target, _response.Status, _response.ContentBytes, milliseconds, note);
            }
            else
            {
                HttpLog.Served(Logger, _connection.Id, _connection.RemoteEndPoint, method, target, _response.Status, _response.ContentBytes, milliseconds);
            }
        }
    }
}
