using System.Text;
using Doorway.Http;

namespace Doorway.Cache;

/// <summary>GET and HEAD: a stored response if RFC 9111 lets it answer, a validation if it is stale, else a fetch (collapsed with others for the same object).</summary>
internal sealed partial class CacheResponder
{
    private async ValueTask LookupAsync(HttpRequest request, HttpResponse response, CacheTarget target, CancellationToken cancellationToken)
    {
        string key = target.Key;
        var directives = RequestDirectives(request, out bool pragmaNoCache);
        var stored = Select(request, Variants(key), out bool varyMiss);
        if (stored is not null)
        {
            var lifetime = Freshness.Lifetime(stored, _options.MaxHeuristicFreshness);
            var age = Freshness.CurrentAge(stored, DateTimeOffset.UtcNow);
            if (Freshness.CanServeWithoutValidation(stored, directives, pragmaNoCache, lifetime, age))
            {
                Store.Touch(stored);
                response.LogNote = "hit";
                long sent = await WriteStoredAsync(request, response, stored, age, $"{_options.Name}; hit; ttl={Seconds(lifetime - age)}", cancellationToken);
                Meter.Hit(sent);
                return;
            }

            if (directives.OnlyIfCached)
            {
                await OnlyIfCachedAsync(response, cancellationToken);
                return;
            }

            // §5.2.1.4: the client's no-cache sends it to the origin even when the copy is fresh.
            bool fresh = lifetime > age;
            await ValidateAsync(request, response, target, stored, directives, lifetime, age, fresh ? "request" : "stale", cancellationToken);
            return;
        }

        if (directives.OnlyIfCached)
        {
            await OnlyIfCachedAsync(response, cancellationToken);
            return;
        }

        await MissAsync(request, response, target, varyMiss ? "vary-miss" : "miss", cancellationToken);
    }

    /// <summary>RFC 9111 §5.2.1.7: nothing stored that may answer, and the client will not have the origin asked: 504.</summary>
    private ValueTask OnlyIfCachedAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.LogNote = "miss (only-if-cached)";
        return SendErrorAsync(response, 504, "only-if-cached", cancellationToken);
    }

    /// <summary>The stored variants: memory first, then the disk store (which loads the object back into memory).</summary>
    private StoredResponse[]? Variants(string key) => Store.Variants(key) ?? Disk?.Load(key, Store);

    /// <summary>
    /// A miss: one fetch per object at a time. The first request fetches (and publishes the
    /// response head as soon as it has it); others wait for it, within the collapse wait, and are
    /// served from its content as it fills. A HEAD or a range request fetches on its own and stores nothing.
    /// </summary>
    private async ValueTask MissAsync(HttpRequest request, HttpResponse response, CacheTarget target, string fwd, CancellationToken cancellationToken)
    {
        bool plainGet = request.Method == RequestMethod.Get && !request.Headers.Contains("range"u8);
        if (!plainGet)
        {
            await FetchAsync(request, response, target, fwd, fill: null, store: false, validating: null, default, cancellationToken);
            return;
        }

        string key = target.Key;
        CacheFill? fill;
        bool mine = false;
        lock (_fillsLock)
        {
            if (!_fills.TryGetValue(key, out fill))
            {
                fill = new CacheFill(key);
                _fills.Add(key, fill);
                mine = true;
            }
        }

        if (!mine)
        {
            Interlocked.Increment(ref fill.Waiters);
            StoredResponse? shared;
            try
            {
                shared = await fill.Head.WaitAsync(_options.CollapseWait, cancellationToken);
            }
            catch (TimeoutException)
            {
                shared = null;
            }

            if (shared is not null && VaryMatches(request, shared))
            {
                Interlocked.Increment(ref Collapsed);
                response.LogNote = "hit (collapsed)";
                var status = $"{_options.Name}; fwd={fwd}; fwd-status={shared.Status}; collapsed";
                long sent = await WriteStoredAsync(request, response, shared, TimeSpan.Zero, status, cancellationToken, writeAge: false);
                Meter.Hit(sent);
                return;
            }

            await FetchAsync(request, response, target, fwd, fill: null, store: true, validating: null, default, cancellationToken);
            return;
        }

        try
        {
            await FetchAsync(request, response, target, fwd, fill, store: true, validating: null, default, cancellationToken);
        }
        finally
        {
            lock (_fillsLock)
            {
                _fills.Remove(key);
            }

            fill.Publish(null);
        }
    }

    /// <summary>
    /// RFC 9111 §4.3: a conditional GET for a stale (or no-cache) copy. 304: the copy is refreshed
    /// with the new fields (§4.3.4) and sent; a new response replaces it; an origin that fails
    /// lets a copy that allows stale-if-error be sent (RFC 5861 §4), else the client gets the failure.
    /// </summary>
    private ValueTask ValidateAsync(HttpRequest request, HttpResponse response, CacheTarget target, StoredResponse stored, CacheDirectives directives,
        TimeSpan lifetime, TimeSpan age, string fwd, CancellationToken cancellationToken) =>
        FetchAsync(request, response, target, fwd, fill: null, store: true, validating: stored, new Validation(directives, lifetime, age), cancellationToken);

    /// <summary>The request's Cache-Control; Pragma: no-cache counts only when there is no Cache-Control (RFC 9111 §5.4).</summary>
    private static CacheDirectives RequestDirectives(HttpRequest request, out bool pragmaNoCache)
    {
        var directives = CacheDirectives.None;
        bool any = false;
        pragmaNoCache = false;
        var headers = request.Headers;
        for (int i = 0; i < headers.Count; i++)
        {
            var name = headers.Name(i);
            if (Ascii.EqualsIgnoreCase(name, "cache-control"u8))
            {
                directives.Add(headers.Value(i));
                any = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "pragma"u8) && headers.Value(i).IndexOf("no-cache"u8) >= 0)
            {
                pragmaNoCache = true;
            }
        }

        pragmaNoCache &= !any;
        return directives;
    }

    /// <summary>The most recent variant whose Vary fields match the request (RFC 9111 §4.1); null with varyMiss when some are stored but none matches.</summary>
    private static StoredResponse? Select(HttpRequest request, StoredResponse[]? variants, out bool varyMiss)
    {
        varyMiss = false;
        if (variants is null)
        {
            return null;
        }

        for (int i = variants.Length - 1; i >= 0; i--)
        {
            if (VaryMatches(request, variants[i]))
            {
                return variants[i];
            }
        }

        varyMiss = true;
        return null;
    }

    private static bool VaryMatches(HttpRequest request, StoredResponse stored)
    {
        for (int i = 0; i < stored.VaryNames.Length; i++)
        {
            if (!string.Equals(RequestValue(request, stored.VaryNames[i]), stored.VaryValues[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A request field's value as Vary compares it: every line of it joined by ", " with the
    /// whitespace around each member dropped (RFC 9111 §4.1 allows this normalization); null when absent.
    /// </summary>
    internal static string? RequestValue(HttpRequest request, string name)
    {
        var headers = request.Headers;
        Span<byte> lower = stackalloc byte[Math.Min(name.Length, 256)];
        int written = Encoding.ASCII.GetBytes(name.AsSpan(0, lower.Length), lower);
        lower = lower[..written];
        StringBuilder? joined = null;
        for (int i = 0; i < headers.Count; i++)
        {
            if (!Ascii.EqualsIgnoreCase(headers.Name(i), lower))
            {
                continue;
            }

            joined ??= new StringBuilder();
            var value = headers.Value(i);
            foreach (var part in value.Split((byte)','))
            {
                var member = value[part].Trim(" \t"u8);
                if (joined.Length > 0)
                {
                    joined.Append(", ");
                }

                joined.Append(Encoding.Latin1.GetString(member));
            }
        }

        return joined?.ToString();
    }

    private static long Seconds(TimeSpan span) => (long)Math.Floor(span.TotalSeconds);

    /// <summary>What a validation knows of the stored copy, to decide on stale-if-error.</summary>
    private readonly record struct Validation(CacheDirectives Request, TimeSpan Lifetime, TimeSpan Age);
}
