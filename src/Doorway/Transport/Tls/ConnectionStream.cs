namespace Doorway.Transport;

/// <summary>
/// A <see cref="Connection"/> as the <see cref="Stream"/> an <see cref="System.Net.Security.SslStream"/>
/// reads TLS records from and writes them to. A zero-byte read waits for data without a buffer
/// (the connection's <see cref="Connection.WaitForDataAsync"/>), which is how SslStream lets an idle
/// TLS connection hold none either. Asynchronous only: the doors never block a thread on a socket.
/// </summary>
internal sealed class ConnectionStream : Stream
{
    private readonly Connection _inner;

    public ConnectionStream(Connection inner) => _inner = inner;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            await _inner.WaitForDataAsync(cancellationToken);
            return 0;
        }

        return await _inner.ReceiveAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.SendAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("a connection is read asynchronously");

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("a connection is written asynchronously");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
