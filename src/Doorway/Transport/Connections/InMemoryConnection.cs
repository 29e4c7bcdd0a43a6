using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace Doorway.Transport;

/// <summary>
/// A connection over two in-memory pipes, so protocol code runs in tests without a socket:
/// the test plays the peer through <see cref="Peer"/>. Byte counters and the activity clock
/// behave as on a socket.
/// </summary>
public sealed class InMemoryConnection : Connection
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toPeer = new();
    private int _aborted;

    public InMemoryConnection(string door = "test", long id = 1, IPEndPoint? remote = null)
        : base(new ConnectionInfo(door, id, new IPEndPoint(IPAddress.Loopback, 1), remote ?? new IPEndPoint(IPAddress.Loopback, 40000)))
    {
        Peer = new InMemoryPeer(_toServer.Writer, _toPeer.Reader);
    }

    /// <summary>The other end: what the test sends and reads.</summary>
    public InMemoryPeer Peer { get; }

    /// <summary>Whether the protocol aborted the connection.</summary>
    public bool Aborted => Volatile.Read(ref _aborted) == 1;

    /// <summary>Whether the protocol half-closed (or closed) its sending side.</summary>
    public bool SendShutDown { get; private set; }

    public override int Available => _toServer.Reader.TryRead(out var result) ? Peek(result) : 0;

    private int Peek(ReadResult result)
    {
        int count = (int)Math.Min(result.Buffer.Length, int.MaxValue);
        _toServer.Reader.AdvanceTo(result.Buffer.Start);
        return count;
    }

    public override async ValueTask WaitForDataAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfAborted();
        var result = await _toServer.Reader.ReadAsync(cancellationToken);
        // Look, don't take: the next receive gets the same bytes.
        _toServer.Reader.AdvanceTo(result.Buffer.Start);
    }

    public override async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfAborted();
        var result = await _toServer.Reader.ReadAsync(cancellationToken);
        var data = result.Buffer;
        if (data.IsEmpty && result.IsCompleted)
        {
            _toServer.Reader.AdvanceTo(data.End);
            return 0;
        }

        int count = (int)Math.Min(buffer.Length, data.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        _toServer.Reader.AdvanceTo(data.GetPosition(count));
        Info.Received(count);
        Timeouts.Touch();
        return count;
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfAborted();
        if (SendShutDown)
        {
            throw new InvalidOperationException("send after ShutdownSend");
        }

        await _toPeer.Writer.WriteAsync(buffer, cancellationToken);
        Info.Sent(buffer.Length);
        Timeouts.Touch();
    }

    public override void ShutdownSend()
    {
        if (!SendShutDown)
        {
            SendShutDown = true;
            _toPeer.Writer.Complete();
        }
    }

    public override void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _toServer.Reader.CancelPendingRead();
            ShutdownSend();
        }
    }

    private void ThrowIfAborted()
    {
        if (Aborted)
        {
            throw new ObjectDisposedException(nameof(InMemoryConnection));
        }
    }
}

/// <summary>The test's end of an <see cref="InMemoryConnection"/>.</summary>
public sealed class InMemoryPeer
{
    private readonly PipeWriter _toServer;
    private readonly PipeReader _fromServer;

    internal InMemoryPeer(PipeWriter toServer, PipeReader fromServer)
    {
        _toServer = toServer;
        _fromServer = fromServer;
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        await _toServer.WriteAsync(bytes, cancellationToken);

    /// <summary>The peer's half-close: the server reads end of stream.</summary>
    public void ShutdownSend() => _toServer.Complete();

    /// <summary>Everything the server sends until it half-closes.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        var bytes = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await _fromServer.ReadAsync(cancellationToken);
            foreach (var segment in result.Buffer)
            {
                bytes.Write(segment.Span);
            }

            _fromServer.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return bytes.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>At least <paramref name="count"/> bytes (fewer only if the server half-closed first).</summary>
    public async Task<byte[]> ReadAsync(int count, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await _fromServer.ReadAsync(cancellationToken);
            if (result.Buffer.Length >= count || result.IsCompleted)
            {
                var taken = result.Buffer.Slice(0, Math.Min(count, result.Buffer.Length));
                byte[] bytes = taken.ToArray();
                _fromServer.AdvanceTo(taken.End);
                return bytes;
            }

            _fromServer.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
