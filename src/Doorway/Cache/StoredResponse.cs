using System.Text;
using Doorway.Http;

namespace Doorway.Cache;

/// <summary>
/// A response as the cache keeps it (RFC 9111 §3): status, its end-to-end header fields, its
/// content, when it was asked for and received (for its age, §4.2.3), and what the request that
/// got it sent for each field its Vary names (§4.1). Immutable: a refresh by 304 makes a new one
/// over the same content (§4.3.4), so clients being sent the old one are never disturbed.
/// </summary>
internal sealed class StoredResponse
{
    public StoredResponse(string key, int status, HeaderLine[] headers, BodySegments body, DateTimeOffset requestTime, DateTimeOffset responseTime,
        string[] varyNames, string?[] varyValues)
    {
        Key = key;
        Status = status;
        Headers = headers;
        Body = body;
        RequestTime = requestTime;
        ResponseTime = responseTime;
        VaryNames = varyNames;
        VaryValues = varyValues;
        Directives = CacheDirectives.None;
        foreach (var line in headers)
        {
            var name = line.Name;
            if (Is(name, "cache-control"u8))
            {
                Directives.Add(line.Value);
            }
            else if (Is(name, "date"u8) && HttpDate.TryParse(line.Value, out var date))
            {
                Date = date;
            }
            else if (Is(name, "expires"u8))
            {
                // RFC 9111 §5.3: an invalid Expires (such as "0") means already expired.
                Expires = HttpDate.TryParse(line.Value, out var expires) ? expires : DateTimeOffset.MinValue;
            }
            else if (Is(name, "last-modified"u8) && HttpDate.TryParse(line.Value, out var modified))
            {
                LastModified = modified;
            }
            else if (Is(name, "etag"u8))
            {
                ETag = line.Value;
            }
            else if (Is(name, "age"u8) && long.TryParse(Encoding.ASCII.GetString(line.Value), System.Globalization.NumberStyles.None, null, out long age))
            {
                AgeValue = age;
            }
            else if (Is(name, "pragma"u8) && line.Value.AsSpan().IndexOf("no-cache"u8) >= 0)
            {
                PragmaNoCache = true;
            }

            HeaderBytes += line.Size;
        }
    }

    /// <summary>The primary key: the target URI, http://host:port/path?query (RFC 9111 §2).</summary>
    public string Key { get; }

    public int Status { get; }

    /// <summary>End-to-end fields (no hop-by-hop, no Age: the cache writes its own).</summary>
    public HeaderLine[] Headers { get; }

    public BodySegments Body { get; }

    public long ContentLength => Body.Length;

    public DateTimeOffset RequestTime { get; }

    public DateTimeOffset ResponseTime { get; }

    public string[] VaryNames { get; }

    public string?[] VaryValues { get; }

    public CacheDirectives Directives;

    public DateTimeOffset? Date { get; }

    public DateTimeOffset? Expires { get; }

    public DateTimeOffset? LastModified { get; }

    public byte[]? ETag { get; }

    public long AgeValue { get; }

    public bool PragmaNoCache { get; }

    public long HeaderBytes { get; }

    /// <summary>What the entry costs the store: its content's memory and its fields.</summary>
    public long Size => Body.Footprint + HeaderBytes + 256;

    /// <summary>Set by the store: the entry's place in its least-recently-used order.</summary>
    internal LinkedListNode<StoredResponse>? Node { get; set; }

    public bool Has(ReadOnlySpan<byte> name)
    {
        foreach (var line in Headers)
        {
            if (Is(line.Name, name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Is(byte[] name, ReadOnlySpan<byte> lower) => name.Length == lower.Length && Ascii.EqualsIgnoreCase(name, lower);
}
