using System.CommandLine;
using Doorway.Files;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>The file door's flags on <c>serve</c>, and how they become a door.</summary>
internal sealed class FileDoorFlags : IDoorFlags
{
    public Option<PortOrOff> Port { get; } = CommonOptions.DoorPort("--files", 8080, "file (HTTP/1.1 and the raw dialect)");

    public Option<string> Root { get; } = new("--root")
    {
        Description = "Directory the file door serves; nothing outside it is reachable (. is the current directory).",
        HelpName = "DIR",
        DefaultValueFactory = _ => ".",
    };

    public Option<bool> Hidden { get; } = new("--hidden")
    {
        Description = "Also list and serve names starting with '.' (hidden by default).",
    };

    public Option<int> MaxRequestLine { get; } = CommonOptions.Count("--max-request-line", FileDoorOptions.Default.MaxRequestLineBytes, 64,
        "Longest HTTP request line or raw file name, in bytes; longer gets 414 (raw: closed without bytes).");

    public Option<int> MaxHeaderBytes { get; } = CommonOptions.Count("--max-header-bytes", FileDoorOptions.Default.MaxHeaderBytes, 64,
        "Largest HTTP header section, in bytes; larger gets 431.");

    public Option<SecondsValue> RequestTimeout { get; } = CommonOptions.Seconds("--request-timeout", FileDoorOptions.Default.RequestTimeout.TotalSeconds,
        "Seconds from a request's first byte to its complete head; slower gets 408.");

    public Option<int> DigestCache { get; } = CommonOptions.Count("--digest-cache", FileDoorOptions.Default.DigestCacheEntries, 1,
        "File versions whose SHA-256 (Repr-Digest) is remembered.");

    public Option<int> DigestRate { get; } = CommonOptions.Count("--digest-rate", (int)(FileDoorOptions.Default.DigestBytesPerSecond / (1024 * 1024)), 1,
        "MiB per second all SHA-256 hashing for Repr-Digest may read together.");

    public Option<int> ListingCache { get; } = CommonOptions.Count("--listing-cache", FileDoorOptions.Default.ListingCachePages, 1,
        "Directory listing pages kept rendered (each per directory version, all together at most 32 MiB).");

    public Option<TimeSpan?> MaxAge { get; } = CommonOptions.OptionalSeconds("--max-age",
        "Seconds a browser or cache may use a file without asking again (Cache-Control: max-age). Without it, no-cache: it revalidates every time.");

    public Option<int> MaxRanges { get; } = CommonOptions.Count("--max-ranges", FileDoorOptions.Default.MaxRanges, 1,
        "Most ranges of one request sent as multipart/byteranges; more gets the whole file.");

    public IEnumerable<Option> Options => [Port, Root, Hidden, MaxRequestLine, MaxHeaderBytes, RequestTimeout, DigestCache, DigestRate, ListingCache, MaxAge, MaxRanges];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(Port).Port is not int port)
        {
            return null;
        }

        FileRoot root;
        try
        {
            root = new FileRoot(parse.GetValue(Root) ?? ".", parse.GetValue(Hidden));
        }
        catch (DirectoryNotFoundException e)
        {
            throw new DoorSetupException($"--root: {e.Message}");
        }

        var options = FileDoorOptions.Default with
        {
            MaxRequestLineBytes = parse.GetValue(MaxRequestLine),
            MaxHeaderBytes = parse.GetValue(MaxHeaderBytes),
            RequestTimeout = parse.GetValue(RequestTimeout),
            DigestCacheEntries = parse.GetValue(DigestCache),
            DigestBytesPerSecond = parse.GetValue(DigestRate) * 1024L * 1024,
            ListingCachePages = parse.GetValue(ListingCache),
            MaxAge = parse.GetValue(MaxAge),
            MaxRanges = parse.GetValue(MaxRanges),
        };
        var logger = context.Loggers.CreateLogger("Doorway.Files");
        var handler = new FileConnectionHandler(root, options, logger, context.House.Descriptors, context.House.Draining);
        return new DoorPlan(FileDoor.Name, port, endPoint => FileDoor.Bind(handler, context.Tcp with { EndPoint = endPoint }, logger, context.House),
            Url: hostPort => $"{(context.Tcp.Tls is null ? "http" : "https")}://{hostPort}/", Details: $" serving {root.Directory}");
    }
}
