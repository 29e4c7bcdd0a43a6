using System.Buffers.Text;
using System.Text;

namespace Doorway.Cache;

/// <summary>
/// The Cache-Control directives a cache acts on (RFC 9111 §5.2), from a request or a response,
/// read over the field's bytes without allocating. Unknown directives are ignored (§5.2.3). A
/// qualified no-cache or private ("private=Set-Cookie") is read as the unqualified one: the
/// safer reading for a shared cache, which then neither serves the named fields nor stores.
/// </summary>
internal struct CacheDirectives
{
    /// <summary>A delta-seconds directive that is absent.</summary>
    public const long Absent = -1;

    public bool NoStore;
    public bool NoCache;
    public bool Private;
    public bool Public;
    public bool MustRevalidate;
    public bool ProxyRevalidate;
    public bool OnlyIfCached;
    public long MaxAge;
    public long SharedMaxAge;

    /// <summary>Request: how stale a response the client takes; long.MaxValue for a bare max-stale (any staleness).</summary>
    public long MaxStale;
    public long MinFresh;

    /// <summary>RFC 5861 §4: seconds past freshness a stale copy may be served when the origin fails.</summary>
    public long StaleIfError;

    public static CacheDirectives None => new()
    {
        MaxAge = Absent,
        SharedMaxAge = Absent,
        MaxStale = Absent,
        MinFresh = Absent,
        StaleIfError = Absent,
    };

    /// <summary>Adds the directives of one Cache-Control field line (a field sent on several lines is one list, RFC 9110 §5.3).</summary>
    public void Add(ReadOnlySpan<byte> field)
    {
        foreach (var range in field.Split((byte)','))
        {
            var member = field[range].Trim(" \t"u8);
            if (member.IsEmpty)
            {
                continue;
            }

            int equals = member.IndexOf((byte)'=');
            var name = (equals < 0 ? member : member[..equals]).Trim(" \t"u8);
            var argument = equals < 0 ? default : member[(equals + 1)..].Trim(" \t"u8);
            if (Is(name, "no-store"u8))
            {
                NoStore = true;
            }
            else if (Is(name, "no-cache"u8))
            {
                NoCache = true;
            }
            else if (Is(name, "private"u8))
            {
                Private = true;
            }
            else if (Is(name, "public"u8))
            {
                Public = true;
            }
            else if (Is(name, "must-revalidate"u8))
            {
                MustRevalidate = true;
            }
            else if (Is(name, "proxy-revalidate"u8))
            {
                ProxyRevalidate = true;
            }
            else if (Is(name, "only-if-cached"u8))
            {
                OnlyIfCached = true;
            }
            else if (Is(name, "max-age"u8))
            {
                MaxAge = Seconds(argument, MaxAge);
            }
            else if (Is(name, "s-maxage"u8))
            {
                SharedMaxAge = Seconds(argument, SharedMaxAge);
            }
            else if (Is(name, "max-stale"u8))
            {
                MaxStale = argument.IsEmpty ? long.MaxValue : Seconds(argument, MaxStale);
            }
            else if (Is(name, "min-fresh"u8))
            {
                MinFresh = Seconds(argument, MinFresh);
            }
            else if (Is(name, "stale-if-error"u8))
            {
                StaleIfError = Seconds(argument, StaleIfError);
            }
        }
    }

    public static CacheDirectives Parse(ReadOnlySpan<byte> field)
    {
        var directives = None;
        directives.Add(field);
        return directives;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> directive) => Ascii.EqualsIgnoreCase(name, directive);

    /// <summary>
    /// delta-seconds (RFC 9111 §1.2.2): digits, the quoted form tolerated (§5.2: a sender should
    /// not quote, a recipient should accept it); a value too large to hold is 2^31 seconds, as the
    /// RFC says. Anything else leaves the directive as it was (an invalid max-age is not a zero).
    /// </summary>
    private static long Seconds(ReadOnlySpan<byte> argument, long current)
    {
        if (argument.Length >= 2 && argument[0] == (byte)'"' && argument[^1] == (byte)'"')
        {
            argument = argument[1..^1];
        }

        if (argument.IsEmpty || argument.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return current;
        }

        if (!Utf8Parser.TryParse(argument, out long value, out int used) || used != argument.Length || value > int.MaxValue)
        {
            return int.MaxValue + 1L;
        }

        return value;
    }
}
