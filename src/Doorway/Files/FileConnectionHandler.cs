using Doorway.Files.Http;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>
/// The file door: one port, two dialects. The first bytes of a connection decide: an HTTP
/// request line means HTTP/1.1 (<see cref="HttpSession"/>), anything else is a file name in the
/// seed's dialect (<see cref="SeedDialect"/>). Both serve from the same <see cref="FileRoot"/>.
/// </summary>
public sealed class FileConnectionHandler : IConnectionHandler
{
    public FileConnectionHandler(FileRoot root, FileDoorOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRequestLineBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHeaderBytes, 64);
        Root = root;
        Options = options;
        Logger = logger;
        Digests = new DigestCache(options.DigestCacheEntries, logger);
    }

    public FileRoot Root { get; }

    public FileDoorOptions Options { get; }

    internal ILogger Logger { get; }

    internal DigestCache Digests { get; }

    /// <summary>Room for the longest request line and the largest header section (plus their line ends).</summary>
    internal int BufferCapacity => Options.MaxRequestLineBytes + Options.MaxHeaderBytes + 4;

    public async Task OnConnectedAsync(Connection connection, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var buffer = new RequestBuffer(BufferCapacity);
        using var requestTimer = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        bool ended = false;
        var dialect = Dialect.Unknown;
        try
        {
            // Hold no buffer until the client says something.
            await connection.WaitForDataAsync(stopping);
            // Bytes are waiting: the first read doesn't block, so the request clock starts only if
            // the first bytes don't settle the dialect.
            var token = stopping;
            while (dialect == Dialect.Unknown)
            {
                if (await buffer.FillAsync(connection, token) == 0)
                {
                    ended = true;
                    dialect = buffer.Count == 0 ? Dialect.Unknown : Dialect.Seed;
                    break;
                }

                dialect = DialectSniffer.Sniff(buffer.Data);
                if (dialect == Dialect.Unknown && token == stopping)
                {
                    requestTimer.CancelAfter(Options.RequestTimeout);
                    token = requestTimer.Token;
                }
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // Neither a name nor a request line in time.
            return;
        }

        if (dialect == Dialect.Seed)
        {
            await SeedDialect.ServeAsync(this, connection, buffer, ended, requestTimer.Token);
        }
        else if (dialect == Dialect.Http)
        {
            using var session = new HttpSession(this, connection, buffer, requestTimer, stopping);
            await session.RunAsync();
        }
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
