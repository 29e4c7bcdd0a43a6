using System.CommandLine;
using System.Globalization;
using System.Net;
using Doorway.Cache;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>The cache door's flags on <c>serve</c> (issue 13), and how they become a door.</summary>
internal sealed class CacheDoorFlags : IDoorFlags
{
    public Option<PortOrOff> Port { get; } = CommonOptions.OptionalDoorPort("--cache",
        "Port of the web cache door (a caching HTTP proxy; 3128 is the usual port); 0 picks a free port, 'off' disables it.");

    public Option<Uri?> Upstream { get; } = new("--cache-upstream")
    {
        Description = "Reverse mode: send every request to this origin (http://host:port), as a CDN node in front of one site. Without it, a forward proxy.",
        HelpName = "URL",
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (Uri.TryCreate(token, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query))
            {
                return uri;
            }

            result.AddError($"--cache-upstream takes http://host:port, not '{token}'.");
            return null;
        },
    };

    public Option<long> Size { get; } = Bytes("--cache-size", CacheOptions.Default.MaxBytes, "Memory the stored objects may take together; the least recently used go first.");

    public Option<long> MaxObject { get; } = Bytes("--cache-max-object", CacheOptions.Default.MaxObjectBytes, "Largest object stored; larger ones pass through uncached.");

    public Option<long> MaxRequestBody { get; } = Bytes("--cache-max-request-body", CacheOptions.Default.Http.MaxRequestBodyBytes,
        "Largest request body (a POST or PUT) passed on to an origin; larger gets 413 before any of it is sent.");

    public Option<long> MaxResponseHeader { get; } = Bytes("--cache-max-response-header", CacheOptions.Default.MaxResponseHeaderBytes,
        "Largest response header section taken from an origin; larger gets 502.");

    public Option<string?> Directory { get; } = new("--cache-dir")
    {
        Description = "Also keep stored objects in DIR, so they survive a restart (checksummed; a damaged entry is discarded).",
        HelpName = "DIR",
    };

    public Option<long> DiskSize { get; } = Bytes("--cache-dir-size", CacheOptions.Default.MaxDiskBytes, "Bytes the --cache-dir store may take; the oldest entries go first.");

    public Option<IPNetwork[]?> Allow { get; } = CommonOptions.Networks("--cache-allow",
        "Client networks (CIDR or addresses, comma-separated, repeatable) the cache answers; others get 403. [default: 127.0.0.0/8 and ::1, never an open proxy]");

    public Option<int[]> ConnectPorts { get; } = new("--cache-connect-ports")
    {
        Description = "Ports CONNECT tunnels may reach, comma-separated; others get 403. [default: 443]",
        HelpName = "PORTS",
        CustomParser = result =>
        {
            var ports = new List<int>();
            foreach (var part in string.Join(',', result.Tokens.Select(t => t.Value)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!HostPort.TryParsePort(part, out int port) || port == 0)
                {
                    result.AddError($"--cache-connect-ports takes ports from 1 to 65535, not '{part}'.");
                    return [];
                }

                ports.Add(port);
            }

            return [.. ports];
        },
    };

    public Option<SecondsValue> ConnectTimeout { get; } = CommonOptions.Seconds("--cache-connect-timeout", CacheOptions.Default.ConnectTimeout.TotalSeconds,
        "Seconds to connect to an origin; slower gets 504.");

    public Option<SecondsValue> ResponseTimeout { get; } = CommonOptions.Seconds("--cache-response-timeout", CacheOptions.Default.ResponseTimeout.TotalSeconds,
        "Seconds an origin may take for its response head, and between pieces of content; slower gets 504 (or the transfer is cut).");

    public Option<int> OriginConnections { get; } = CommonOptions.Count("--cache-origin-connections", CacheOptions.Default.MaxConnectionsPerOrigin, 1,
        "Connections to one origin open at once (kept alive, reused); more requests wait for one.");

    public Option<SecondsValue> CollapseWait { get; } = CommonOptions.Seconds("--cache-collapse-wait", CacheOptions.Default.CollapseWait.TotalSeconds,
        "Seconds a request for an object already being fetched waits for that fetch before it asks the origin itself.");

    public IEnumerable<Option> Options => [Port, Upstream, Size, MaxObject, MaxRequestBody, MaxResponseHeader, Directory, DiskSize, Allow, ConnectPorts, ConnectTimeout, ResponseTimeout, OriginConnections, CollapseWait];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(Port).Port is not int port)
        {
            return null;
        }

        var options = CacheOptions.Default with
        {
            Upstream = parse.GetValue(Upstream),
            MaxBytes = parse.GetValue(Size),
            MaxObjectBytes = parse.GetValue(MaxObject),
            Directory = parse.GetValue(Directory),
            MaxDiskBytes = parse.GetValue(DiskSize),
            ConnectTimeout = parse.GetValue(ConnectTimeout),
            ResponseTimeout = parse.GetValue(ResponseTimeout),
            MaxConnectionsPerOrigin = parse.GetValue(OriginConnections),
            CollapseWait = parse.GetValue(CollapseWait),
            Http = CacheOptions.Default.Http with { MaxRequestBodyBytes = parse.GetValue(MaxRequestBody) },
            MaxResponseHeaderBytes = (int)Math.Min(int.MaxValue, parse.GetValue(MaxResponseHeader)),
        };
        if (parse.GetValue(Allow) is { Length: > 0 } allow)
        {
            options = options with { Allow = allow };
        }

        if (parse.GetValue(ConnectPorts) is { Length: > 0 } ports)
        {
            options = options with { ConnectPorts = ports };
        }

        var logger = context.Loggers.CreateLogger("Doorway.Cache");
        string mode = options.Upstream is { } upstream ? $" in front of {upstream.GetLeftPart(UriPartial.Authority)}" : " (forward proxy)";
        return new DoorPlan(CacheDoor.Name, port, endPoint => CacheDoor.Bind(options, context.Tcp with { EndPoint = endPoint }, logger, context.House),
            Url: hostPort => $"http://{hostPort}/", Details: mode);
    }

    /// <summary>A size in bytes: a number with an optional K, M or G (binary: 1K = 1024), as Squid's cache_mem takes one.</summary>
    private static Option<long> Bytes(string name, long defaultValue, string description) => new(name)
    {
        Description = description + $" Takes K, M or G. [default: {(defaultValue % (1024 * 1024) == 0 ? $"{defaultValue / (1024 * 1024)}M" : $"{defaultValue / 1024}K")}]",
        HelpName = "SIZE",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : string.Empty;
            long unit = 1;
            string digits = token;
            if (token.Length > 0 && char.ToUpperInvariant(token[^1]) is 'K' or 'M' or 'G')
            {
                unit = char.ToUpperInvariant(token[^1]) switch { 'K' => 1024L, 'M' => 1024L * 1024, _ => 1024L * 1024 * 1024 };
                digits = token[..^1];
            }

            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value <= long.MaxValue / unit)
            {
                return value * unit;
            }

            result.AddError($"{name} takes a size such as 256M, 64M or 1G, not '{token}'.");
            return defaultValue;
        },
    };
}
