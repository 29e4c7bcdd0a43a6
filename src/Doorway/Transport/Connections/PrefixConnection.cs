using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Transport;

/// <summary>
/// A connection that first replays bytes a middleware already read (a sniffer's first bytes, what
/// followed a PROXY header), then reads from the connection it wraps. Sends go straight through.
/// The replayed bytes live in a pooled array, given back once they are read or the wrapper is disposed.
/// </summary>
public sealed class PrefixConnection : Connection
{
    private readonly Connection _inner;
    private byte[]? _prefix;
    private int _start;
    private readonly int _end;
    private readonly bool _endOfStream;

    /// <param name="inner">The connection read from.</param>
    /// <param name="prefix">A pooled array (ArrayPool.Shared) this wrapper now owns.</param>
    /// <param name="count">Bytes of <paramref name="prefix"/> to replay.</param>
    /// <param name="endOfStream">Whether the peer's end of stream was already read after them.</param>
    public PrefixConnection(Connection inner, byte[] prefix, int count, bool endOfStream)
        : base((inner ?? throw new ArgumentNullException(nameof(inner))).Info)
    {
        _inner = inner;
        _prefix = prefix;
        _end = count;
        _endOfStream = endOfStream;
        if (count == 0)
        {
            Release();
        }
    }

    private int Remaining => _prefix is null ? 0 : _end - _start;

    public override int Available => Remaining + (_endOfStream ? 0 : _inner.Available);

    public override ValueTask WaitForDataAsync(CancellationToken cancellationToken = default) =>
        Remaining > 0 || _endOfStream ? ValueTask.CompletedTask : _inner.WaitForDataAsync(cancellationToken);

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Remaining > 0)
        {
            int count = Math.Min(buffer.Length, Remaining);
            _prefix.AsSpan(_start, count).CopyTo(buffer.Span);
            _start += count;
            if (Remaining == 0)
            {
                Release();
            }

            return ValueTask.FromResult(count);
        }

        return _endOfStream ? ValueTask.FromResult(0) : _inner.ReceiveAsync(buffer, cancellationToken);
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.SendAsync(buffer, cancellationToken);

    public override Task SendFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(file, offset, count, cancellationToken);

    public override void ShutdownSend() => _inner.ShutdownSend();

    public override void Abort() => _inner.Abort();

    private void Release()
    {
        if (_prefix is not null)
        {
            ArrayPool<byte>.Shared.Return(_prefix);
            _prefix = null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
        }
    }
}
