using System.Net;
using System.Security.Cryptography;
using System.Text;
using Doorway.Http;
using Microsoft.Extensions.Logging;

namespace Doorway.Cache;

/// <summary>
/// The web cache (seed 001 §2.2.5) as an HTTP responder: a client's request is answered from a
/// stored copy when RFC 9111 allows, else the origin is asked (by a conditional GET when a stale
/// copy is held) and its answer stored and sent on. Forward proxy (absolute-form targets, CONNECT
/// tunnels) or reverse proxy in front of one origin. Every response says what happened in
/// Cache-Status (RFC 9211) and the access log's note. Split by feature: looking up and serving
/// (.Lookup), fetching from the origin (.Fetch), writing stored responses (.Write), tunnels (.Tunnel).
/// </summary>
internal sealed partial class CacheResponder : IHttpResponder, IDisposable
{
    private readonly CacheOptions _options;
    private readonly ILogger _logger;
    private readonly OriginClient _origin;
    private readonly Dictionary<string, CacheFill> _fills = new(StringComparer.Ordinal);
    private readonly Lock _fillsLock = new();

    /// <summary>Our entry in Via: "1.1 name (instance)". The instance tells our own request coming back (a loop) from another Doorway's.</summary>
    private readonly byte[] _via;
    private readonly byte[] _instance;
    private readonly byte[] _name;

    public CacheResponder(CacheOptions options, ILogger logger, CacheMeter meter, DiskStore? disk = null)
    {
        options.Validate();
        _options = options;
        _logger = logger;
        Meter = meter;
        Store = new MemoryStore(options.MaxBytes);
        Disk = disk;
        _origin = new OriginClient(options);
        string instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        _instance = Encoding.ASCII.GetBytes($"({options.Name}-{instance})");
        _via = Encoding.ASCII.GetBytes($"1.1 {options.Name} ({options.Name}-{instance})");
        _name = Encoding.ASCII.GetBytes(options.Name);
        disk?.LoadInto(Store);
    }

    internal MemoryStore Store { get; }

    internal DiskStore? Disk { get; }

    internal CacheMeter Meter { get; }

    /// <summary>Requests served from another request's fetch (collapsed), for tests.</summary>
    internal long Collapsed;

    /// <summary>Requests waiting now for the fetch of <paramref name="key"/> (for tests of collapsing).</summary>
    internal int WaitingFor(string key)
    {
        lock (_fillsLock)
        {
            return _fills.TryGetValue(key, out var fill) ? Volatile.Read(ref fill.Waiters) : 0;
        }
    }

    public async ValueTask AnswerAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        var remote = request.Connection.RemoteEndPoint;
        if (!IsAllowed(remote.Address))
        {
            CacheLog.NotAllowed(_logger, remote);
            response.LogNote = "refused";
            response.CloseConnection();
            await response.SendErrorAsync(403, cancellationToken);
            return;
        }

        if (IsLoop(request))
        {
            CacheLog.Loop(_logger, Encoding.ASCII.GetString(request.Target));
            response.LogNote = "loop";
            await SendErrorAsync(response, 508, "loop", cancellationToken);
            return;
        }

        if (request.Method == RequestMethod.Connect)
        {
            await TunnelAsync(request, response, cancellationToken);
            return;
        }

        string? why = CacheTarget.TryParse(request, _options.Upstream, out var target, out int status);
        if (why is not null)
        {
            response.LogNote = "refused";
            await SendErrorAsync(response, status, "bad-target", cancellationToken);
            return;
        }

        if (request.Method is RequestMethod.Get or RequestMethod.Head)
        {
            await LookupAsync(request, response, target, cancellationToken);
        }
        else
        {
            await PassThroughAsync(request, response, target, cancellationToken);
        }
    }

    public void Dispose() => _origin.Dispose();

    private bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _options.Allow)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 9110 §7.6.3: Via lets a proxy see its own request come back; ours carries this instance's token.</summary>
    private bool IsLoop(HttpRequest request)
    {
        var headers = request.Headers;
        for (int i = 0; i < headers.Count; i++)
        {
            if (Ascii.EqualsIgnoreCase(headers.Name(i), "via"u8) && headers.Value(i).IndexOf(_instance) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An error of the cache's own, with its Cache-Status (RFC 9211 §2.8: detail says why).</summary>
    private ValueTask SendErrorAsync(HttpResponse response, int status, string detail, CancellationToken cancellationToken)
    {
        response.Start(status);
        response.Header("Cache-Status"u8, $"{_options.Name}; detail={detail}");
        response.Header("Via"u8, _via);
        return response.SendStatusTextAsync(cancellationToken);
    }
}
