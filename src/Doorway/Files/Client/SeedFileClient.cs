using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Doorway.Transport;

namespace Doorway.Files.Client;

/// <summary>
/// <c>doorway get --raw</c>: the raw dialect (seed 004's), so it also works against the book's server. Sends
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
        long received;
        await using (var part = new FileStream(target.PartPath, FileMode.Create, FileAccess.Write, FileShare.Read, 0, FileOptions.Asynchronous))
        {
            received = await CopyAsync(socket, name, part, progress, cancellationToken);
        }

        if (received == 0)
        {
            File.Delete(target.PartPath);
            throw NothingSent(name);
        }

        File.Move(target.PartPath, target.Path, overwrite: true);
        return new DownloadResult(target.Path, received, 0, Verified: false);
    }

    /// <summary>Copies the answer to <paramref name="output"/> (stdout for <c>-o -</c>) until the server closes.</summary>
    public async Task<DownloadResult> CopyToAsync(string name, Stream output, IDownloadProgress? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(output);
        using var socket = await TcpConnector.ConnectAsync(_server, _timeout, cancellationToken);
        long received = await CopyAsync(socket, name, output, progress, cancellationToken);
        await output.FlushAsync(cancellationToken);
        return received == 0 ? throw NothingSent(name) : new DownloadResult("-", received, 0, Verified: false);
    }

    private static DownloadException NothingSent(string name) =>
        new($"{name}: the server sent nothing (missing, refused, or empty: the raw dialect cannot tell; try without --raw)");

    private async Task<long> CopyAsync(Socket socket, string name, Stream output, IDownloadProgress? progress, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(name), SocketFlags.None, cancellationToken);
        long received = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
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

                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                received += n;
                progress?.Advanced(received);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return received;
    }
}
