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

    public FileConnectionHandler(FileRoot root, FileDoorOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Root = root;
        Options = options;
        Logger = logger;
        Digests = new DigestCache(options.DigestCacheEntries, logger);
        Responder = new FileResponder(root, Digests, logger);
        // Validates the limits, with messages that name them.
        _http = new Http1ConnectionHandler(Responder, options.Http, logger);
        _router = FirstBytesRouter.Create(Classify, [_http.OnConnectedAsync, ServeRawAsync], SniffBytes, options.RequestTimeout);
    }

    public FileRoot Root { get; }

    public FileDoorOptions Options { get; }

    internal ILogger Logger { get; }

    internal DigestCache Digests { get; }

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

    private static int Classify(ReadOnlySpan<byte> first, bool mustDecide) => DialectSniffer.Sniff(first) switch
    {
        Dialect.Http => 0,
        Dialect.Seed => 1,
        _ => mustDecide ? (first.IsEmpty ? -1 : 1) : -1,
    };

    private Task ServeRawAsync(Connection connection, CancellationToken stopping)
    {
        connection.Info.Protocol = "raw";
        return RawDialect.ServeAsync(this, connection, stopping);
    }

    /// <summary>Opens a file to send, as a handle: read-only, sharing with writers, asynchronous (as sendfile wants it).</summary>
    internal static Microsoft.Win32.SafeHandles.SafeFileHandle OpenHandle(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);

    /// <summary>Opens a file to send: read-only, sharing with writers, no managed buffer (sendfile reads it).</summary>
    internal static FileStream Open(string path) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            // SendPacketsElement takes only streams opened for asynchronous I/O.
            Options = FileOptions.Asynchronous,
        });
}
