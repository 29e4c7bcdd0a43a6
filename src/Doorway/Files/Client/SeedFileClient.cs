using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Doorway.Transport;

namespace Doorway.Files.Client;

/// <summary>
/// <c>doorway get --raw</c>: the seed's dialect, so it also works against the book's server. Sends
/// the name (no newline, like the book's client), saves every byte until the server closes.
/// The dialect has no lengths, no ranges and no digests: a cut-off download looks complete, a
/// missing file looks empty, and nothing can be resumed or verified.
/// </summary>
public sealed class SeedFileClient
{
    private const int ChunkSize = 256 * 1024;
    private readonly HostPort _server;
    private readonly TimeSpan _timeout;

    public SeedFileClient(HostPort server, TimeSpan timeout)
    {
        _server = server;
        _timeout = timeout;
    }

    public async Task<DownloadResult> DownloadAsync(string name, DownloadTarget target, IDownloadProgress? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(target);
        using var socket = await TcpConnector.ConnectAsync(_server, _timeout, cancellationToken);
        await socket.SendAsync(Encoding.UTF8.GetBytes(name), SocketFlags.None, cancellationToken);
        long received = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await using var part = new FileStream(target.PartPath, FileMode.Create, FileAccess.Write, FileShare.Read, 0, FileOptions.Asynchronous);
            progress?.Started(null, 0);
            while (true)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                quiet.CancelAfter(_timeout);
                int n;
                try
                {
                    n = await socket.ReceiveAsync(buffer.AsMemory(0, ChunkSize), SocketFlags.None, quiet.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no data from {_server} for {_timeout.TotalSeconds:0.###} s");
                }

                if (n == 0)
                {
                    break;
                }

                await part.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                received += n;
                progress?.Advanced(received);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (received == 0)
        {
            File.Delete(target.PartPath);
            throw new DownloadException($"{name}: the server sent nothing (missing, refused, or empty: the seed dialect cannot tell; try without --raw)");
        }

        File.Move(target.PartPath, target.Path, overwrite: true);
        return new DownloadResult(target.Path, received, 0, Verified: false);
    }
}
