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
/// It touches the file system (opening, reading a small file, listing), so it belongs on
/// a door that runs handlers off the socket engine's threads (<c>DoorDispatch.ThreadPool</c>).
/// </para>
/// </summary>
internal sealed partial class FileResponder : IHttpResponder
{
    /// <summary>
    /// An answer once begun is not cut short by a stop: the door's drain timeout bounds it, and
    /// then the transport closes the connection, which ends any send.
    /// </summary>
    private static readonly CancellationToken Exchange = CancellationToken.None;

    private readonly FileRoot _root;
    private readonly DigestCache _digests;
    private readonly ListingCache _listings;
    private readonly DescriptorBudget _descriptors;
    private readonly ILogger _logger;

    public FileResponder(FileRoot root, DigestCache digests, ListingCache listings, DescriptorBudget descriptors, ILogger logger)
    {
        _root = root;
        _digests = digests;
        _listings = listings;
        _descriptors = descriptors;
        _logger = logger;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask AnswerAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        if (request.Method == RequestMethod.Other)
        {
            response.Start(405);
            response.Header("Allow"u8, "GET, HEAD"u8);
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
            var result = Open(request.Target, ref rented, out string? refusal, out bool notAPath, out int pathLength);
            if (refusal is not null)
            {
                Refused(request, target, refusal);
                await response.SendErrorAsync(notAPath ? 400 : 404, Exchange);
                return;
            }

            using var file = result.File;
            switch (result.Kind)
            {
                case FileOpenKind.File:
                    await SendFileAsync(request, response, file!, ContentTypes.For(rented.AsSpan(0, pathLength)), target);
                    break;
                case FileOpenKind.Directory:
                    await SendDirectoryOrIndexAsync(request, response, file!, Encoding.UTF8.GetString(rented.AsSpan(0, pathLength)), target);
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
    /// read-only, and the session logs them) and opens it beneath the root: one openat2, one statx.
    /// A refusal of the target itself says why.
    /// </summary>
    private FileOpenResult Open(ReadOnlySpan<byte> target, ref byte[]? path, out string? refusal, out bool notAPath, out int pathLength)
    {
        path = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(target.Length, 1));
        pathLength = HttpTarget.DecodePath(target, path, out string? reason);
        notAPath = ReferenceEquals(reason, HttpTarget.NotAPath);
        if (pathLength < 0)
        {
            refusal = reason;
            pathLength = 0;
            return default;
        }

        refusal = null;
        return _root.Open(path.AsSpan(0, pathLength), allowRoot: true);
    }

    private void Refused(HttpRequest request, string? target, string reason)
    {
        if (target is not null)
        {
            FilesLog.HttpRefused(_logger, request.Connection.Id, request.Connection.RemoteEndPoint, target, reason);
        }
    }
}
