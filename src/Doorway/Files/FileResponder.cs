using System.Runtime.CompilerServices;
using System.Text;
using Doorway.Http;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>
/// The file door over HTTP: GET and HEAD of the files and directories under a <see cref="FileRoot"/>,
/// with ranges, conditional requests and Repr-Digest; any other method gets 405. Split by feature:
/// files (FileResponder.Files.cs), directories (FileResponder.Directories.cs) and their index pages
/// (FileResponder.Index.cs). Shared by every
/// connection of the door; it keeps no state of its own per request.
/// <para>
/// It touches the file system (opening, reading a small file, listing), and may run on an event
/// loop (<see cref="LoopThread"/>): there it opens and reads only what the kernel has cached, and
/// moves to the thread pool for the rest (a walk or a read that needs the disk, a listing, sendfile).
/// </para>
/// </summary>
internal sealed partial class FileResponder : IHttpResponder
{
    /// <summary>
    /// An answer once begun is not cut short by a stop: the door's drain timeout bounds it, and
    /// then the transport closes the connection, which ends any send.
    /// </summary>
    private static readonly CancellationToken Exchange = CancellationToken.None;

    /// <summary>What every resource of the door allows (RFC 9110 §10.2.1), in 405s and OPTIONS answers.</summary>
    private static ReadOnlySpan<byte> Allowed => "GET, HEAD, OPTIONS"u8;

    private readonly FileRoot _root;
    private readonly DigestCache _digests;
    private readonly ListingCache _listings;
    private readonly DescriptorBudget _descriptors;
    private readonly ILogger _logger;
    private readonly byte[] _fileCacheControl;
    private readonly int _maxRanges;
    private readonly CancellationToken _draining;

    public FileResponder(FileRoot root, DigestCache digests, ListingCache listings, DescriptorBudget descriptors, ILogger logger, FileDoorOptions? options = null,
        CancellationToken draining = default)
    {
        _draining = draining;
        options ??= FileDoorOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRanges, 1, nameof(options.MaxRanges));
        if (options.MaxAge is { } maxAge)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(maxAge, TimeSpan.Zero, nameof(options.MaxAge));
        }

        // RFC 9111 §5.2.2.4: no-cache lets a cache keep a file but makes it ask (with the validators) before each use;
        // max-age lets it serve the file that long without asking.
        _fileCacheControl = Encoding.ASCII.GetBytes(options.MaxAge is { } age
            ? $"max-age={(long)age.TotalSeconds}"
            : "no-cache");
        _maxRanges = options.MaxRanges;
        _root = root;
        _digests = digests;
        _listings = listings;
        _descriptors = descriptors;
        _logger = logger;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask AnswerAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        if (_draining.IsCancellationRequested)
        {
            // Draining: every answer ends its connection, so a balancer's kept connections wind down cleanly.
            response.CloseConnection();
        }

        if (IsHealthCheck(request))
        {
            await AnswerHealthAsync(response, cancellationToken);
            return;
        }

        switch (request.Method)
        {
            case RequestMethod.Get or RequestMethod.Head:
                break;
            case RequestMethod.Options when request.TargetForm == HttpTargetForm.Asterisk:
                // RFC 9110 §9.3.7: OPTIONS * asks about the server: what it allows, and no content.
                response.Start(200);
                response.Header("Allow"u8, Allowed);
                await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
                return;
            case RequestMethod.Options:
                break;
            case RequestMethod.Other:
                // RFC 9110 §15.6.2: a method the server does not recognize is 501, and the text says so.
                response.Start(501);
                response.Header("Content-Type"u8, "text/plain; charset=utf-8"u8);
                await response.SendAsync(UnknownMethodText(request.MethodText), Exchange);
                return;
            default:
                // RFC 9110 §15.5.6: a method it knows but does not allow here (POST, PUT, DELETE,
                // PATCH, CONNECT; TRACE too, since echoing a request back hands its cookies to a script).
                response.Start(405);
                response.Header("Allow"u8, Allowed);
                await response.SendStatusTextAsync(Exchange);
                return;
        }

        string? target = _logger.IsEnabled(LogLevel.Debug) ? Encoding.ASCII.GetString(request.Target) : null;
        // A file being sent holds a descriptor of its own: none left, and the client is told to come back.
        if (!_descriptors.TryTake())
        {
            Refused(request, target, "no file descriptor left (the process limit)");
            response.Start(503);
            response.Header("Retry-After"u8, "1"u8);
            await response.SendStatusTextAsync(Exchange);
            return;
        }

        byte[]? rented = null;
        try
        {
            int pathLength = DecodePath(request.Target, ref rented, out string? refusal, out bool notAPath);
            if (refusal is not null)
            {
                Refused(request, target, refusal);
                await response.SendErrorAsync(notAPath ? 400 : 404, Exchange);
                return;
            }

            var result = await _root.OpenAsync(rented.AsMemory(0, pathLength), allowRoot: true);
            using var file = result.File;
            switch (result.Kind)
            {
                case FileOpenKind.File or FileOpenKind.Directory when request.Method == RequestMethod.Options:
                    // RFC 9110 §9.3.7: what the resource allows, and Content-Length: 0 since nothing follows.
                    response.Start(200);
                    response.Header("Allow"u8, Allowed);
                    if (result.Kind == FileOpenKind.File)
                    {
                        response.Header("Accept-Ranges"u8, "bytes"u8);
                    }

                    await response.SendAsync(ReadOnlyMemory<byte>.Empty, Exchange);
                    break;
                case FileOpenKind.File:
                    await SendFileAsync(request, response, file!, ContentTypes.For(rented.AsSpan(0, pathLength)), target);
                    break;
                case FileOpenKind.Directory:
                    // A listing reads the directory and stats its entries: never on an event loop.
                    await LoopThread.LeaveAsync();
                    await SendDirectoryOrIndexAsync(request, response, file!, rented.AsMemory(0, pathLength), target);
                    break;
                default:
                    Refused(request, target, result.Reason);
                    await response.SendErrorAsync(404, Exchange);
                    break;
            }
        }
        finally
        {
            _descriptors.Return();
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decodes the target's path into a pooled array (never in the request's own bytes: they are
    /// read-only, and the session logs them); its length. A refusal of the target itself says why.
    /// </summary>
    private static int DecodePath(ReadOnlySpan<byte> target, ref byte[]? path, out string? refusal, out bool notAPath)
    {
        path = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(target.Length, 1));
        int pathLength = HttpTarget.DecodePath(target, path, out string? reason);
        // Not a path at all, or a bad escape: the request is malformed (400); the rest name nothing (404).
        notAPath = ReferenceEquals(reason, HttpTarget.NotAPath) || ReferenceEquals(reason, HttpTarget.BadEscape);
        refusal = pathLength < 0 ? reason : null;
        return Math.Max(pathLength, 0);
    }

    private static byte[] UnknownMethodText(ReadOnlySpan<byte> method) =>
        [.. "501 Not Implemented: "u8, .. method, .. " is not a method this server knows; it answers GET, HEAD and OPTIONS\n"u8];

    private void Refused(HttpRequest request, string? target, string reason)
    {
        if (target is not null)
        {
            FilesLog.HttpRefused(_logger, request.Connection.Id, request.Connection.RemoteEndPoint, target, reason);
        }
    }
}
