using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Transport;

/// <summary>
/// The fallback for connections without a kernel file copy (TLS, in memory): pread into a pooled
/// buffer, send, repeat. The buffer is held only while a file is being sent.
/// </summary>
internal static class FileCopySender
{
    private const int BufferBytes = 64 * 1024;

    public static async Task SendAsync(Connection connection, SafeFileHandle file, long offset, long count, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            while (count > 0)
            {
                int want = (int)Math.Min(count, BufferBytes);
                // Synchronous: Unix has no asynchronous file reads, so never on an event loop (a send's wait may have come back to one).
                await LoopThread.LeaveAsync();
                int read = PositionalRead.Read(file, buffer.AsSpan(0, want), offset);
                if (read == 0)
                {
                    // The file shrank after its length was promised: the framing is broken, so the connection must end.
                    throw new IOException("file changed while being sent");
                }

                await connection.SendAsync(buffer.AsMemory(0, read), cancellationToken);
                offset += read;
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
