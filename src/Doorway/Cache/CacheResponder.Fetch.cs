using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Doorway.Http;

namespace Doorway.Cache;

/// <summary>Asking the origin: the request forwarded without its hop-by-hop fields, the answer relayed, stored when it may be.</summary>
internal sealed partial class CacheResponder
{
    /// <summary>
    /// Content read from the origin before the response head goes to the client: a response that
    /// fails within it (a lying Content-Length, an early close) is still answered with a clean 502;
    /// past it, the client's connection is cut, as a broken transfer must be (its framing would lie).
    /// </summary>
    internal const int ReadAheadBytes = 64 * 1024;

    /// <summary>
    /// The one buffer content streams through after the read-ahead: larger pieces mean fewer
    /// receives and sends per byte (a quarter of them at 256 KiB as at 64 KiB), which is most of
    /// a pass-through's cost; still a bound, per transfer.
    /// </summary>
    internal const int StreamBufferBytes = 256 * 1024;

    private static readonly HttpMethod[] Methods = [HttpMethod.Get, HttpMethod.Head, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete];

    /// <summary>Requests other than GET and HEAD: passed through, never stored, and a success invalidates what is stored for the target (RFC 9111 §4.4).</summary>
    private async ValueTask PassThroughAsync(HttpRequest request, HttpResponse response, CacheTarget target, CancellationToken cancellationToken)
    {
        await FetchAsync(request, response, target, "method", fill: null, store: false, validating: null, default, cancellationToken);
        bool safe = request.Method is RequestMethod.Options or RequestMethod.Trace;
        if (!safe && response.Status is >= 200 and < 400)
        {
            Store.Invalidate(target.Key);
            Disk?.Remove(target.Key);
        }
    }

    private async ValueTask FetchAsync(HttpRequest request, HttpResponse response, CacheTarget target, string fwd, CacheFill? fill, bool store,
        StoredResponse? validating, Validation validation, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(_options.ResponseTimeout);
        bool isGet = request.Method == RequestMethod.Get;
        using var message = BuildRequest(request, target, stripConditionals: isGet && store, validating);
        var requestTime = DateTimeOffset.UtcNow;
        HttpResponseMessage upstream;
        try
        {
            upstream = await _origin.SendAsync(message, timer.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ClientBodyFault(e) is { } body)
        {
            // The request's own body broke while it was being sent on (RFC 9112 §7.1: bad chunk
            // framing, a body past the limit): the client's fault, not the origin's. Thrown on as the
            // session's body error, so the client gets its 400 or 413 and the connection closes.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(body);
            throw;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsOriginFailure(e))
        {
            int failure = timer.IsCancellationRequested || HasTimeout(e) ? 504 : 502;
            CacheLog.OriginFailed(_logger, target.Authority, target.Key, Reason(e), failure);
            if (validating is not null && Freshness.CanServeOnError(validating, validation.Request, validation.Lifetime, validation.Age))
            {
                await ServeStaleAsync(request, response, validating, validation, fwd, fwdStatus: null, cancellationToken);
                return;
            }

            response.LogNote = "error";
            await SendErrorAsync(response, failure, failure == 504 ? "origin-timeout" : "origin-unreachable", cancellationToken);
            return;
        }

        using (upstream)
        {
            var responseTime = DateTimeOffset.UtcNow;
            int status = (int)upstream.StatusCode;
            if (validating is not null && status == 304)
            {
                await RefreshAsync(request, response, validating, upstream, requestTime, responseTime, fwd, cancellationToken);
                return;
            }

            if (validating is not null && status >= 500 && Freshness.CanServeOnError(validating, validation.Request, validation.Lifetime, validation.Age))
            {
                await ServeStaleAsync(request, response, validating, validation, fwd, status, cancellationToken);
                return;
            }

            if (validating is not null)
            {
                Meter.Validated(notModified: false, 0);
            }
            else if (request.Method is RequestMethod.Get or RequestMethod.Head)
            {
                Meter.Miss();
            }

            if (status is < 200 or > 599)
            {
                CacheLog.OriginFailed(_logger, target.Authority, target.Key, $"status {status}", 502);
                response.LogNote = "error";
                await SendErrorAsync(response, 502, "origin-status", cancellationToken);
                return;
            }

            await RelayAsync(request, response, target, upstream, status, requestTime, responseTime, fwd, fill, store && isGet, validating, timer, cancellationToken);
        }
    }

    /// <summary>
    /// Sends the origin's response on, storing it as it goes when RFC 9111 allows and it is within
    /// the object limit. The first <see cref="ReadAheadBytes"/> are read before the head is sent;
    /// the rest streams through one buffer, so an object passed through is never held whole.
    /// </summary>
    private async ValueTask RelayAsync(HttpRequest request, HttpResponse response, CacheTarget target, HttpResponseMessage upstream, int status,
        DateTimeOffset requestTime, DateTimeOffset responseTime, string fwd, CacheFill? fill, bool store, StoredResponse? validating,
        CancellationTokenSource timer, CancellationToken cancellationToken)
    {
        var lines = ResponseLines(upstream, responseTime, out var varyNames, out bool varyStar);
        long? length = upstream.Content.Headers.ContentLength;
        bool noContent = request.Method == RequestMethod.Head || HttpStatus.HasNoContent(status);
        var varyValues = varyNames.Select(name => RequestValue(request, name)).ToArray();
        var body = new BodySegments(length ?? -1);
        var entry = new StoredResponse(target.Key, status, lines, body, requestTime, responseTime, varyNames, varyValues);
        string? whyNot = null;
        if (!store)
        {
            whyNot = "method";
        }
        else
        {
            var requestDirectives = RequestDirectives(request, out _);
            whyNot = Freshness.WhyNotStorable(status, requestDirectives, entry.Directives, entry.Expires is not null,
                request.Headers.Contains("authorization"u8), entry.Has("set-cookie"u8), varyStar);
            if (whyNot is null && (length > _options.MaxObjectBytes || _options.MaxObjectBytes == 0 || _options.MaxBytes == 0))
            {
                whyNot = "too-large";
            }
        }

        bool keep = whyNot is null;
        if (!keep)
        {
            // Requests waiting for this fetch cannot be served from it: they ask the origin now, not after it.
            fill?.Publish(null);
        }

        var content = noContent ? Stream.Null : await upstream.Content.ReadAsStreamAsync(timer.Token);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamBufferBytes);
        try
        {
            int filled = 0;
            bool ended = false;
            try
            {
                while (filled < ReadAheadBytes)
                {
                    timer.CancelAfter(_options.ResponseTimeout);
                    int read = await content.ReadAsync(buffer.AsMemory(filled, ReadAheadBytes - filled), timer.Token);
                    if (read == 0)
                    {
                        ended = true;
                        break;
                    }

                    filled += read;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsOriginFailure(e))
            {
                // Nothing has gone to the client: it gets a clean 502, and nothing is stored.
                CacheLog.OriginBrokeOff(_logger, target.Authority, target.Key, filled, Reason(e));
                response.LogNote = "error";
                await SendErrorAsync(response, 502, "origin-broke-off", cancellationToken);
                return;
            }

            if (keep)
            {
                body.Append(buffer.AsSpan(0, filled));
                if (ended)
                {
                    body.Complete();
                    Keep(entry);
                }

                fill?.Publish(entry);
            }

            var lifetime = Freshness.Lifetime(entry, _options.MaxHeuristicFreshness);
            string cacheStatus = $"{_options.Name}; fwd={fwd}; fwd-status={status}" + (keep ? $"; stored; ttl={Seconds(lifetime)}" : "");
            response.LogNote = validating is not null ? "revalidated (changed)" : fwd == "method" ? "pass" : "miss";
            WriteHead(response, status, lines, age: null, cacheStatus);
            if (noContent)
            {
                if (length is long announced && status is not 204 and not 304)
                {
                    // HEAD: the length GET would have (RFC 9110 §9.3.2).
                    response.SetContentLength(announced);
                }

                await response.CompleteAsync(cancellationToken);
                return;
            }

            if (ended)
            {
                await response.SendAsync(buffer.AsMemory(0, filled), cancellationToken);
                return;
            }

            if (length is long declared)
            {
                response.SetContentLength(declared);
            }

            await response.WriteAsync(buffer.AsMemory(0, filled), cancellationToken);
            long total = filled;
            while (true)
            {
                int read;
                try
                {
                    timer.CancelAfter(_options.ResponseTimeout);
                    read = await content.ReadAsync(buffer.AsMemory(0, StreamBufferBytes), timer.Token);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsOriginFailure(e))
                {
                    CacheLog.OriginBrokeOff(_logger, target.Authority, target.Key, total, Reason(e));
                    throw new IOException("the origin broke off the response", e);
                }

                if (read == 0)
                {
                    break;
                }

                total += read;
                if (keep && total > _options.MaxObjectBytes)
                {
                    // No length was announced and it outgrew the object limit: sent on, not kept.
                    keep = false;
                    body.Fail();
                }
                else if (keep)
                {
                    body.Append(buffer.AsSpan(0, read));
                }

                await response.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            if (keep)
            {
                body.Complete();
                Keep(entry);
            }

            await response.CompleteAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!body.IsComplete)
            {
                body.Fail();
            }
        }
    }

    /// <summary>Stores a complete response in memory, and on disk when there is a disk store.</summary>
    private void Keep(StoredResponse entry)
    {
        if (Store.Put(entry))
        {
            Disk?.Save(entry);
        }
    }

    /// <summary>RFC 9111 §4.3.4: a 304's fields replace the stored ones of the same names; the content stays.</summary>
    private async ValueTask RefreshAsync(HttpRequest request, HttpResponse response, StoredResponse stored, HttpResponseMessage upstream,
        DateTimeOffset requestTime, DateTimeOffset responseTime, string fwd, CancellationToken cancellationToken)
    {
        var fresh = ResponseLines(upstream, responseTime, out _, out _);
        var names = new HashSet<string>(fresh.Select(line => Encoding.ASCII.GetString(line.Name)), StringComparer.OrdinalIgnoreCase);
        var merged = stored.Headers.Where(line => !names.Contains(Encoding.ASCII.GetString(line.Name))).Concat(fresh).ToArray();
        var refreshed = new StoredResponse(stored.Key, stored.Status, merged, stored.Body, requestTime, responseTime, stored.VaryNames, stored.VaryValues);
        if (Store.Put(refreshed, replacing: stored))
        {
            Disk?.Save(refreshed);
        }

        var lifetime = Freshness.Lifetime(refreshed, _options.MaxHeuristicFreshness);
        var age = Freshness.CurrentAge(refreshed, DateTimeOffset.UtcNow);
        response.LogNote = "revalidated";
        long sent = await WriteStoredAsync(request, response, refreshed, age, $"{_options.Name}; fwd={fwd}; fwd-status=304; stored; ttl={Seconds(lifetime - age)}", cancellationToken);
        Meter.Validated(notModified: true, sent);
    }

    /// <summary>RFC 5861 §4: the origin failed and the stale copy allows it: the copy is sent, and Cache-Status says so.</summary>
    private async ValueTask ServeStaleAsync(HttpRequest request, HttpResponse response, StoredResponse stored, Validation validation, string fwd, int? fwdStatus,
        CancellationToken cancellationToken)
    {
        response.LogNote = "stale (stale-if-error)";
        var age = Freshness.CurrentAge(stored, DateTimeOffset.UtcNow);
        string status = $"{_options.Name}; fwd={fwd}" + (fwdStatus is int code ? $"; fwd-status={code}" : "") + $"; ttl={Seconds(validation.Lifetime - age)}; detail=stale-if-error";
        long sent = await WriteStoredAsync(request, response, stored, age, status, cancellationToken);
        Meter.Hit(sent);
    }

    /// <summary>
    /// The request for the origin: same method and end-to-end fields, Host from the target, our
    /// Via added, the hop-by-hop fields (and those Connection names) left out (RFC 9110 §7.6.1).
    /// A GET the cache means to store asks for the whole object (the client's own conditionals are
    /// answered from the stored copy after); a validation adds the stored copy's validators (RFC 9111 §4.3.1).
    /// </summary>
    private HttpRequestMessage BuildRequest(HttpRequest request, CacheTarget target, bool stripConditionals, StoredResponse? validating)
    {
        var method = Methods.FirstOrDefault(m => Encoding.ASCII.GetBytes(m.Method).AsSpan().SequenceEqual(request.MethodText))
            ?? new HttpMethod(Encoding.ASCII.GetString(request.MethodText));
        var message = new HttpRequestMessage(method, target.Uri)
        {
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Headers.Host = target.Authority;
        if (request.Body.IsPresent)
        {
            message.Content = new StreamContent(new RequestBodyStream(request.Body));
            if (request.Body.Length is long length)
            {
                message.Content.Headers.ContentLength = length;
            }
        }

        var headers = request.Headers;
        var connection = new List<string>();
        for (int i = 0; i < headers.Count; i++)
        {
            if (Ascii.EqualsIgnoreCase(headers.Name(i), "connection"u8))
            {
                connection.Add(Encoding.Latin1.GetString(headers.Value(i)));
            }
        }

        var via = new StringBuilder();
        for (int i = 0; i < headers.Count; i++)
        {
            var rawName = headers.Name(i);
            if (HopByHop.Is(rawName) || Ascii.EqualsIgnoreCase(rawName, "host"u8) || Ascii.EqualsIgnoreCase(rawName, "expect"u8))
            {
                continue;
            }

            string name = Encoding.ASCII.GetString(rawName);
            string value = Encoding.Latin1.GetString(headers.Value(i));
            if (connection.Count > 0 && HopByHop.NamedBy(connection, name))
            {
                continue;
            }

            if (name.Equals("via", StringComparison.OrdinalIgnoreCase))
            {
                via.Append(value).Append(", ");
                continue;
            }

            if ((stripConditionals || validating is not null) && IsConditional(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        via.Append(Encoding.ASCII.GetString(_via));
        message.Headers.TryAddWithoutValidation("Via", via.ToString());
        if (validating is not null)
        {
            if (validating.ETag is { } etag)
            {
                message.Headers.TryAddWithoutValidation("If-None-Match", Encoding.Latin1.GetString(etag));
            }

            if (validating.LastModified is { } modified)
            {
                message.Headers.TryAddWithoutValidation("If-Modified-Since", modified.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return message;
    }

    private static bool IsConditional(string name) =>
        name.Equals("if-none-match", StringComparison.OrdinalIgnoreCase) || name.Equals("if-modified-since", StringComparison.OrdinalIgnoreCase)
        || name.Equals("if-range", StringComparison.OrdinalIgnoreCase) || name.Equals("range", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The origin's fields, as lines to relay and store: hop-by-hop ones and those its Connection
    /// names left out, a Date added when it sent none (RFC 9110 §6.6.1: a recipient with a clock
    /// adds one to a response it caches or forwards); also the names its Vary lists.
    /// </summary>
    private static HeaderLine[] ResponseLines(HttpResponseMessage upstream, DateTimeOffset received, out string[] varyNames, out bool varyStar)
    {
        var connection = upstream.Headers.NonValidated.TryGetValues("Connection", out var values) ? values.ToList() : [];
        var lines = new List<HeaderLine>();
        var vary = new List<string>();
        bool hasDate = false;
        varyStar = false;
        foreach (var group in upstream.Headers.NonValidated.Concat(upstream.Content.Headers.NonValidated))
        {
            string name = group.Key;
            if (HopByHop.Is(name) || (connection.Count > 0 && HopByHop.NamedBy(connection, name)))
            {
                continue;
            }

            hasDate |= name.Equals("date", StringComparison.OrdinalIgnoreCase);
            bool isVary = name.Equals("vary", StringComparison.OrdinalIgnoreCase);
            byte[] nameBytes = Encoding.ASCII.GetBytes(name);
            foreach (string value in group.Value)
            {
                lines.Add(new HeaderLine(nameBytes, Encoding.Latin1.GetBytes(value)));
                if (isVary)
                {
                    foreach (var member in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        varyStar |= member == "*";
                        if (!vary.Contains(member, StringComparer.OrdinalIgnoreCase))
                        {
                            vary.Add(member);
                        }
                    }
                }
            }
        }

        if (!hasDate)
        {
            Span<byte> date = stackalloc byte[HttpDate.Length];
            HttpDate.Format(received, date);
            lines.Add(new HeaderLine("Date"u8.ToArray(), date.ToArray()));
        }

        varyNames = [.. vary];
        return [.. lines];
    }

    /// <summary>The request body's framing error, when HttpClient failed because reading the client's body did.</summary>
    private static HttpBodyException? ClientBodyFault(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpBodyException body)
            {
                return body;
            }
        }

        return null;
    }

    private static bool IsOriginFailure(Exception e) => e is HttpRequestException or IOException or OperationCanceledException or TimeoutException or SocketException;

    private static bool HasTimeout(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is TimeoutException || inner is SocketException { SocketErrorCode: SocketError.TimedOut })
            {
                return true;
            }
        }

        return false;
    }

    private static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner == e ? e.Message : $"{e.Message} ({inner.Message})";
    }
}
