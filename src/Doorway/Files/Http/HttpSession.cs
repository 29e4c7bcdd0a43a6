using System.Text;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Files.Http;

/// <summary>
/// One HTTP connection: request heads parsed from the connection's <see cref="RequestBuffer"/>,
/// answered in order (pipelined requests included), kept open for HTTP/1.1 unless either side
/// says close. Split by feature: files (HttpSession.Files.cs), directories (HttpSession.Directories.cs).
/// </summary>
internal sealed partial class HttpSession : IDisposable
{
    /// <summary>Files up to this size go out in the same send as their head (read, not sendfile): one packet, one syscall.</summary>
    internal const int SmallFileBytes = 16 * 1024;

    private readonly FileConnectionHandler _door;
    private readonly Connection _connection;
    private readonly RequestBuffer _buffer;
    private readonly CancellationToken _stopping;
    private readonly ResponseHead _response;
    /// <summary>
    /// An answer once begun is not cut short by a stop: the door's drain timeout bounds it, and
    /// then the transport closes the connection, which ends any send.
    /// </summary>
    private static readonly CancellationToken Exchange = CancellationToken.None;

    private readonly byte[] _etag = new byte[40];

    public HttpSession(FileConnectionHandler door, Connection connection, RequestBuffer buffer, CancellationToken stopping)
    {
        _door = door;
        _connection = connection;
        _buffer = buffer;
        _stopping = stopping;
        // Room for a Location header re-encoding the longest target, and a small file's bytes.
        _response = new ResponseHead(2048 + (3 * door.Options.MaxRequestLineBytes) + SmallFileBytes);
    }

    private ILogger Logger => _door.Logger;

    public async Task RunAsync()
    {
        while (true)
        {
            var (status, head) = await ReadHeadAsync();
            if (status == HttpParseStatus.Incomplete)
            {
                // The client closed or the door is stopping between requests.
                return;
            }

            if (status != HttpParseStatus.Complete)
            {
                int code = status switch
                {
                    HttpParseStatus.UriTooLong => 414,
                    HttpParseStatus.HeadersTooLarge => 431,
                    HttpParseStatus.VersionNotSupported => 505,
                    _ => 400,
                };
                await RejectAsync(code, head.Error ?? "malformed request", version: 11);
                return;
            }

            if (head.HasBody)
            {
                // Nothing here reads a body, so one is never skipped over or mistaken for the next request.
                await RejectAsync(400, "request with a body", head.Version);
                return;
            }

            bool keepAlive = head.KeepAlive && !_stopping.IsCancellationRequested;
            await AnswerAsync(head, keepAlive);
            _buffer.Consume(head.Length);
            if (!keepAlive || _stopping.IsCancellationRequested)
            {
                await LingeringClose.RunAsync(_connection);
                return;
            }
        }
    }

    /// <summary>
    /// Waits for a whole request head. The request timeout runs from the request's first byte;
    /// a quiet keep-alive connection is left to the transport's idle timeout.
    /// Returns Incomplete when the connection ended (or the door stopped) before a request began.
    /// </summary>
    private async Task<(HttpParseStatus, HttpRequestHead)> ReadHeadAsync()
    {
        var timeouts = _connection.Timeouts;
        bool timing = false;
        try
        {
            while (true)
            {
                var status = HttpRequestParser.Parse(_buffer.Data, _door.Options, out var head);
                if (status != HttpParseStatus.Incomplete)
                {
                    // Stop the clock for the time the answer takes.
                    timeouts.ClearDeadline();
                    return (status, head);
                }

                if (_buffer.Count == 0)
                {
                    timeouts.ClearDeadline();
                    timing = false;
                    _buffer.ReleaseIfEmpty();
                    await _connection.WaitForDataAsync(_stopping);

                    // Bytes are waiting, so this read doesn't block; most requests arrive whole in it
                    // and never need the clock.
                    if (await _buffer.FillAsync(_connection, _stopping) == 0)
                    {
                        return (HttpParseStatus.Incomplete, default);
                    }

                    continue;
                }

                if (!timing)
                {
                    timeouts.SetDeadline(_door.Options.RequestTimeout, TimeoutReason.RequestHead);
                    timing = true;
                }

                if (await _buffer.FillAsync(_connection, timeouts.Token) == 0)
                {
                    return (HttpParseStatus.Incomplete, default);
                }
            }
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            timeouts.ClearDeadline();
            if (_buffer.Count > 0)
            {
                await RejectAsync(408, "request not complete within the request timeout", version: 11);
            }

            return (HttpParseStatus.Incomplete, default);
        }
        catch (OperationCanceledException)
        {
            return (HttpParseStatus.Incomplete, default);
        }
    }

    private async Task AnswerAsync(HttpRequestHead head, bool keepAlive)
    {
        if (head.Method == RequestMethod.Other)
        {
            await SendErrorAsync(head, 405, keepAlive, target: null);
            return;
        }

        var target = _buffer.Data[head.Target];
        string? targetText = Logger.IsEnabled(LogLevel.Debug) ? Encoding.ASCII.GetString(target) : null;
        int pathLength = HttpTarget.DecodePath(target, out string? reason);
        if (pathLength < 0)
        {
            Refused(targetText, reason!);
            await SendErrorAsync(head, ReferenceEquals(reason, HttpTarget.NotAPath) ? 400 : 404, keepAlive, targetText);
            return;
        }

        var path = target[..pathLength];
        var lookup = _door.Root.Resolve(path, allowRoot: true);
        switch (lookup.Kind)
        {
            case FileLookupKind.File:
                await SendFileAsync(head, lookup.FullPath!, keepAlive, targetText);
                break;
            case FileLookupKind.Directory:
                await SendDirectoryAsync(head, lookup.FullPath!, Encoding.UTF8.GetString(path), keepAlive, targetText);
                break;
            default:
                Refused(targetText, lookup.Reason);
                await SendErrorAsync(head, 404, keepAlive, targetText);
                break;
        }
    }

    private void Refused(string? target, string reason)
    {
        if (target is not null)
        {
            FilesLog.HttpRefused(Logger, _connection.Id, _connection.RemoteEndPoint, target, reason);
        }
    }

    /// <summary>An error that ends the connection: the answer, then close.</summary>
    private async Task RejectAsync(int status, string reason, int version)
    {
        FilesLog.HttpRejected(Logger, _connection.Id, _connection.RemoteEndPoint, status, reason);
        var head = default(HttpRequestHead);
        head.Version = version;
        head.Method = RequestMethod.Get;
        await SendErrorAsync(head, status, keepAlive: false, target: null);
        await LingeringClose.RunAsync(_connection);
    }

    private async Task SendErrorAsync(HttpRequestHead head, int status, bool keepAlive, string? target)
    {
        _response.Start(status, head.Version);
        if (status == 405)
        {
            _response.Header("Allow"u8, "GET, HEAD"u8);
        }

        var phrase = ResponseHead.ReasonPhrase(status);
        _response.Header("Content-Type"u8, "text/plain; charset=utf-8"u8);
        _response.Header("Content-Length"u8, 4 + phrase.Length + 1);
        ConnectionHeader(head, keepAlive);
        _response.End();
        if (head.Method != RequestMethod.Head)
        {
            Span<byte> code = stackalloc byte[4];
            status.TryFormat(code, out _);
            code[3] = (byte)' ';
            _response.Append(code);
            _response.Append(phrase);
            _response.Append("\n"u8);
        }

        await _connection.SendAsync(_response.Written, Exchange);
        Served(head, target, status, 0);
    }

    private void ConnectionHeader(HttpRequestHead head, bool keepAlive)
    {
        if (!keepAlive)
        {
            _response.Header("Connection"u8, "close"u8);
        }
        else if (head.Version == 10)
        {
            _response.Header("Connection"u8, "keep-alive"u8);
        }
    }

    private void Served(HttpRequestHead head, string? target, int status, long bytes)
    {
        if (Logger.IsEnabled(LogLevel.Debug))
        {
            string method = head.Method switch { RequestMethod.Get => "GET", RequestMethod.Head => "HEAD", _ => "other" };
            FilesLog.HttpServed(Logger, _connection.Id, _connection.RemoteEndPoint, method, target ?? "-", status, bytes);
        }
    }

    public void Dispose()
    {
        _response.Dispose();
    }
}
