using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Transport;

/// <summary>
/// Sends a part of an open file with sendfile(2): .NET's SendPackets sends a FileStream element
/// with sendfile on Linux, so the bytes never enter this process. In rounds of
/// <see cref="RoundBytes"/>, each taken by the kernel counting as activity, so a reader at
/// 1 MiB per idle timeout (17 KiB/s at the default 60 s) is never cut off mid-file.
/// One per connection, made at its first file; reused for every file it sends.
/// </summary>
internal sealed class SocketFileSender : IDisposable
{
    /// <summary>
    /// Bytes per sendfile round: the per-round cost (one SendPackets call) stays under 1 % of a
    /// round's time on loopback, and a round ends often enough for the idle clock. nginx's
    /// sendfile_max_chunk is 2 MiB for the same reason.
    /// </summary>
    internal const int RoundBytes = 1024 * 1024;

    private readonly Socket _socket;
    private readonly SocketAsyncEventArgs _args = new();
    private readonly SendPacketsElement[] _elements = new SendPacketsElement[1];
    private TaskCompletionSource<SocketError>? _completion;

    public SocketFileSender(Socket socket)
    {
        _socket = socket;
        _args.Completed += (_, args) => _completion!.TrySetResult(args.SocketError);
    }

    public async Task SendAsync(SocketConnection connection, SafeFileHandle file, long offset, long count, TimeoutPolicy policy, CancellationToken cancellationToken)
    {
        // SendPackets takes a FileStream "opened for asynchronous I/O" (a rule from Windows'
        // overlapped TransmitPackets; on Linux the engine calls sendfile on the descriptor). The
        // stream is made over an alias that does not own the descriptor, so disposing it leaves the
        // caller's file open; the caller's handle is held for the whole send.
        bool held = false;
        file.DangerousAddRef(ref held);
        try
        {
            using var alias = new SafeFileHandle(file.DangerousGetHandle(), ownsHandle: false);
            if (!alias.IsAsync)
            {
                SetIsAsync(alias, true);
            }

            await using var stream = new FileStream(alias, FileAccess.Read, bufferSize: 0, isAsync: true);
            await SendRoundsAsync(connection, stream, offset, count, policy, cancellationToken);
        }
        finally
        {
            if (held)
            {
                file.DangerousRelease();
            }
        }
    }

    private async Task SendRoundsAsync(SocketConnection connection, FileStream stream, long offset, long count, TimeoutPolicy policy, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int round = (int)Math.Min(count, RoundBytes);
            _elements[0] = new SendPacketsElement(stream, offset, round, endOfPacket: true);
            _args.SendPacketsElements = _elements;
            _completion = new TaskCompletionSource<SocketError>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Timeouts.SendStarted(round, policy);
            var error = _socket.SendPacketsAsync(_args) ? await _completion.Task : _args.SocketError;
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            connection.Timeouts.SendEnded(round);
            connection.Info.Sent(round);
            offset += round;
            count -= round;
        }
    }

    public void Dispose() => _args.Dispose();

    // .NET 10 sets IsAsync only in its own File.OpenHandle(FileOptions.Asynchronous); a handle made
    // from a descriptor reports false, and FileStream(handle, isAsync: true) would refuse it.
    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = "set_IsAsync")]
    private static extern void SetIsAsync(SafeFileHandle handle, bool value);
}
