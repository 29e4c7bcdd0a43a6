using System.Net.Sockets;
using Doorway.Transport;

namespace Doorway.Files;

/// <summary>
/// Sends a part of an open file with sendfile(2): .NET's SendPackets sends a FileStream element
/// with sendfile on Linux, so the bytes never enter this process. Chunked, so the connection
/// counts as active (idle timeout) while a large file goes out, and a stop can end it between chunks.
/// One per connection; reused for every file it sends.
/// </summary>
internal sealed class FileSender : IDisposable
{
    /// <summary>Bytes per sendfile round; large enough that the per-round cost vanishes.</summary>
    private const int ChunkBytes = 16 * 1024 * 1024;

    private readonly SocketAsyncEventArgs _args = new();
    private readonly SendPacketsElement[] _elements = new SendPacketsElement[1];
    private TaskCompletionSource<SocketError>? _completion;

    public FileSender()
    {
        _args.Completed += (_, args) => _completion!.TrySetResult(args.SocketError);
        _args.SendPacketsElements = _elements;
    }

    public async Task SendAsync(Connection connection, FileStream file, long offset, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int chunk = (int)Math.Min(count, ChunkBytes);
            _elements[0] = new SendPacketsElement(file, offset, chunk, endOfPacket: true);
            _args.SendPacketsElements = _elements;
            _completion = new TaskCompletionSource<SocketError>(TaskCreationOptions.RunContinuationsAsynchronously);
            var error = connection.Socket.SendPacketsAsync(_args) ? await _completion.Task : _args.SocketError;
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            connection.Touch();
            offset += chunk;
            count -= chunk;
        }
    }

    public void Dispose() => _args.Dispose();
}
