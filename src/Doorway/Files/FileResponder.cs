using System.Runtime.CompilerServices;
using System.Text;
using Doorway.Http;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>
/// The file door over HTTP: GET and HEAD of the files and directories under a <see cref="FileRoot"/>,
/// with ranges, conditional requests and Repr-Digest; any other method gets 405. Split by feature:
/// files (FileResponder.Files.cs), directories (FileResponder.Directories.cs). Shared by every
/// connection of the door; it keeps no state of its own per request.
/// <para>
/// It touches the file system (resolving, opening, reading a small file, listing), so it belongs on
/// a door that runs handlers off the socket engine's threads (<c>DoorDispatch.ThreadPool</c>).
/// </para>
/// </summary>
internal sealed partial class FileResponder : IHttpResponder
{
    /// <summary>Target paths up to this length are decoded on the stack; longer ones in a pooled array.</summary>
    private const int StackPathBytes = 1024;

    /// <summary>
    /// An answer once begun is not cut short by a stop: the door's drain timeout bounds it, and
    /// then the transport closes the connection, which ends any send.
    /// </summary>
    private static readonly CancellationToken Exchange = CancellationToken.None;

    private readonly FileRoot _root;
    private readonly DigestCache _digests;
    private readonly ILogger _logger;

    public FileResponder(FileRoot root, DigestCache digests, ILogger logger)
    {
        _root = root;
        _digests = digests;
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
        var lookup = Resolve(request.Target, out string? refusal, out bool notAPath, out string? directoryPath);
        if (refusal is not null)
        {
            Refused(request, target, refusal);
            await response.SendErrorAsync(notAPath ? 400 : 404, Exchange);
            return;
        }

        switch (lookup.Kind)
        {
            case FileLookupKind.File:
                await SendFileAsync(request, response, lookup.FullPath!, target);
                break;
            case FileLookupKind.Directory:
                await SendDirectoryAsync(response, lookup.FullPath!, directoryPath!);
                break;
            default:
                Refused(request, target, lookup.Reason);
                await response.SendErrorAsync(404, Exchange);
                break;
        }
    }

    /// <summary>
    /// Decodes the target's path (never in the request's own bytes: they are read-only, and the
    /// session logs them) and looks it up under the root. A refusal says why; for a directory the
    /// decoded path comes back as text, for its listing and its redirect.
    /// </summary>
    private FileLookup Resolve(ReadOnlySpan<byte> target, out string? refusal, out bool notAPath, out string? directoryPath)
    {
        byte[]? rented = null;
        Span<byte> path = target.Length <= StackPathBytes
            ? stackalloc byte[StackPathBytes]
            : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(target.Length));
        try
        {
            int pathLength = HttpTarget.DecodePath(target, path, out string? reason);
            directoryPath = null;
            notAPath = ReferenceEquals(reason, HttpTarget.NotAPath);
            if (pathLength < 0)
            {
                refusal = reason;
                return FileLookup.Refuse(reason!);
            }

            refusal = null;
            var decoded = path[..pathLength];
            var lookup = _root.Resolve(decoded, allowRoot: true);
            if (lookup.Kind == FileLookupKind.Directory)
            {
                directoryPath = Encoding.UTF8.GetString(decoded);
            }

            return lookup;
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void Refused(HttpRequest request, string? target, string reason)
    {
        if (target is not null)
        {
            FilesLog.HttpRefused(_logger, request.Connection.Id, request.Connection.RemoteEndPoint, target, reason);
        }
    }
}
