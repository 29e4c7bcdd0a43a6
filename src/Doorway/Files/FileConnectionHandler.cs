using Doorway.Http;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>
/// The file door: one port, two dialects. The first bytes of a connection decide: an HTTP
/// request line means HTTP/1.1 (an <see cref="Http1Session"/> answered by the
/// <see cref="FileResponder"/>), anything else is a file name in the seed's raw dialect
/// (<see cref="RawDialect"/>). Both serve from the same <see cref="FileRoot"/>.
/// </summary>
public sealed class FileConnectionHandler : IConnectionHandler
{
    /// <summary>Most bytes the dialect sniffer reads first; a whole small request usually fits, so it needs one receive.</summary>
    private const int SniffBytes = 4096;

    private readonly Http1ConnectionHandler _http;
    private readonly ConnectionDelegate _router;

    /// <param name="descriptors">The house's descriptor budget, which every file being sent also draws on; by default one of its own.</param>
    /// <param name="draining">The house's <see cref="House.Draining"/>: /healthz answers 503 and every answer closes its connection once it fires.</param>
    public FileConnectionHandler(FileRoot root, FileDoorOptions options, ILogger logger, DescriptorBudget? descriptors = null, CancellationToken draining = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Root = root;
        Options = options;
        Logger = logger;
        Descriptors = descriptors ?? DescriptorBudget.FromProcessLimit();
        Digests = new DigestCache(new DigestCacheOptions { Capacity = options.DigestCacheEntries, HashBytesPerSecond = options.DigestBytesPerSecond }, logger);
        Listings = new ListingCache(root, new ListingCacheOptions { Capacity = options.ListingCachePages, MaxBytes = options.ListingCacheBytes });
        Responder = new FileResponder(root, Digests, Listings, Descriptors, logger, options, draining);
        // Validates the limits, with messages that name them.
        _http = new Http1ConnectionHandler(Responder, options.Http, logger);
        _router = FirstBytesRouter.Create(Classify, [_http.OnConnectedAsync, ServeRawAsync], SniffBytes, options.RequestTimeout);
    }

    public FileRoot Root { get; }

    public FileDoorOptions Options { get; }

    internal ILogger Logger { get; }

    internal DigestCache Digests { get; }

    internal ListingCache Listings { get; }

    internal DescriptorBudget Descriptors { get; }

    internal FileResponder Responder { get; }

    /// <summary>
    /// Sniffs the first bytes, then serves the dialect they start. On a stop the raw dialect
    /// finishes its file; HTTP finishes the response it is sending with Connection: close.
    /// </summary>
    public Task OnConnectedAsync(Connection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return _router(connection, stopping);
    }

    private static int Classify(ReadOnlySpan<byte> first, bool mustDecide, bool quiet) => DialectSniffer.Sniff(first, quiet, mustDecide) switch
    {
        Dialect.Http => 0,
        Dialect.Seed => 1,
        _ => mustDecide && !first.IsEmpty ? 1 : -1,
    };

    private Task ServeRawAsync(Connection connection, CancellationToken stopping)
    {
        connection.Info.Protocol = "raw";
        return RawDialect.ServeAsync(this, connection, stopping);
    }
}
