namespace Doorway.Cache;

/// <summary>
/// RFC 9111's rules for a shared cache, as functions of a stored response, the request and the
/// clock: what may be stored (§3), how long it is fresh (§4.2.1, §4.2.2), how old it is (§4.2.3),
/// whether it may be served without asking the origin (§4.2, §5.2.1), and when a stale one may be
/// served because the origin failed (RFC 5861 §4).
/// </summary>
internal static class Freshness
{
    /// <summary>The heuristic's share of the time since the last change (RFC 9111 §4.2.2: "typical setting … 10%").</summary>
    public const double HeuristicFraction = 0.1;

    /// <summary>Statuses that are heuristically cacheable (RFC 9110 §15.1), less 206: the cache stores whole objects only.</summary>
    public static bool IsHeuristicallyCacheable(int status) => status is 200 or 203 or 204 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>
    /// Why a response may not be stored (RFC 9111 §3, §3.5), or null when it may. The cache is
    /// shared, so private is never stored; nor is a response that sets a cookie (one client's
    /// cookie would go to every client: what Squid and Varnish refuse too).
    /// </summary>
    public static string? WhyNotStorable(int status, in CacheDirectives request, in CacheDirectives response, bool hasExpires,
        bool authorization, bool setCookie, bool varyStar)
    {
        if (request.NoStore || response.NoStore)
        {
            return "no-store";
        }

        if (response.Private)
        {
            return "private";
        }

        if (authorization && !response.Public && !response.MustRevalidate && response.SharedMaxAge == CacheDirectives.Absent)
        {
            return "authorization";
        }

        if (setCookie)
        {
            return "set-cookie";
        }

        if (varyStar)
        {
            return "vary-star";
        }

        bool explicitFreshness = hasExpires || response.MaxAge != CacheDirectives.Absent || response.SharedMaxAge != CacheDirectives.Absent;
        if (IsHeuristicallyCacheable(status) || (explicitFreshness && status is 302 or 307) || (response.Public && status is 302 or 307))
        {
            return null;
        }

        return "status";
    }

    /// <summary>RFC 9111 §4.2.1, first match wins: s-maxage, max-age, Expires less Date, then the heuristic.</summary>
    public static TimeSpan Lifetime(StoredResponse stored, TimeSpan maxHeuristic)
    {
        var directives = stored.Directives;
        if (directives.SharedMaxAge != CacheDirectives.Absent)
        {
            return TimeSpan.FromSeconds(directives.SharedMaxAge);
        }

        if (directives.MaxAge != CacheDirectives.Absent)
        {
            return TimeSpan.FromSeconds(directives.MaxAge);
        }

        var date = stored.Date ?? stored.ResponseTime;
        if (stored.Expires is { } expires)
        {
            return expires > date ? expires - date : TimeSpan.Zero;
        }

        if (stored.LastModified is { } modified && (IsHeuristicallyCacheable(stored.Status) || directives.Public) && modified < date)
        {
            // §4.2.2: a fraction of the time since the last change, within the cache's bound.
            var heuristic = TimeSpan.FromSeconds(Math.Floor((date - modified).TotalSeconds * HeuristicFraction));
            return heuristic < maxHeuristic ? heuristic : maxHeuristic;
        }

        return TimeSpan.Zero;
    }

    /// <summary>RFC 9111 §4.2.3: the corrected initial age plus the time the response has been here.</summary>
    public static TimeSpan CurrentAge(StoredResponse stored, DateTimeOffset now)
    {
        var date = stored.Date ?? stored.ResponseTime;
        var apparent = stored.ResponseTime > date ? stored.ResponseTime - date : TimeSpan.Zero;
        var delay = stored.ResponseTime > stored.RequestTime ? stored.ResponseTime - stored.RequestTime : TimeSpan.Zero;
        var correctedAge = TimeSpan.FromSeconds(stored.AgeValue) + delay;
        var initial = apparent > correctedAge ? apparent : correctedAge;
        var resident = now > stored.ResponseTime ? now - stored.ResponseTime : TimeSpan.Zero;
        return initial + resident;
    }

    /// <summary>
    /// Whether the stored response may answer this request without the origin (RFC 9111 §4.2,
    /// §4.2.4, §5.2.1): fresh for what the client asks (max-age, min-fresh), or stale within the
    /// client's max-stale when the response allows serving stale; never when either side says
    /// no-cache (§5.2.1.4, §5.2.2.4) or, with no Cache-Control in the request, Pragma: no-cache (§5.4).
    /// </summary>
    public static bool CanServeWithoutValidation(StoredResponse stored, in CacheDirectives request, bool requestPragmaNoCache, TimeSpan lifetime, TimeSpan age)
    {
        if (request.NoCache || requestPragmaNoCache || stored.Directives.NoCache)
        {
            return false;
        }

        if (request.MaxAge != CacheDirectives.Absent && age.TotalSeconds > request.MaxAge)
        {
            return false;
        }

        var left = lifetime - age;
        if (request.MinFresh != CacheDirectives.Absent && left.TotalSeconds < request.MinFresh)
        {
            return false;
        }

        if (left > TimeSpan.Zero)
        {
            return true;
        }

        // §4.2.4: stale may be served only where allowed, and never against must-revalidate
        // (§5.2.2.2), proxy-revalidate or s-maxage (§5.2.2.8, §5.2.2.10) in a shared cache.
        return request.MaxStale != CacheDirectives.Absent && !MustRevalidate(stored) && (-left).TotalSeconds <= request.MaxStale;
    }

    /// <summary>RFC 5861 §4: a stale response served when the origin fails, within stale-if-error's seconds (the request's or the response's).</summary>
    public static bool CanServeOnError(StoredResponse stored, in CacheDirectives request, TimeSpan lifetime, TimeSpan age)
    {
        if (MustRevalidate(stored))
        {
            return false;
        }

        long allowed = Math.Max(request.StaleIfError, stored.Directives.StaleIfError);
        if (allowed == CacheDirectives.Absent)
        {
            return false;
        }

        var staleness = age - lifetime;
        return staleness.TotalSeconds <= allowed;
    }

    private static bool MustRevalidate(StoredResponse stored) =>
        stored.Directives.MustRevalidate || stored.Directives.ProxyRevalidate || stored.Directives.SharedMaxAge != CacheDirectives.Absent;
}
