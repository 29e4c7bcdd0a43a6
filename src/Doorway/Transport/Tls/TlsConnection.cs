using System.Net.Security;

namespace Doorway.Transport;

/// <summary>
/// A connection after a TLS handshake: what the protocol receives and sends goes through an
/// <see cref="SslStream"/> over the connection it wraps. There is no kernel file copy under TLS
/// (the bytes must be encrypted in this process), so <see cref="Connection.SendFileAsync"/> stays the
/// base class's pooled copy (<see cref="FileCopySender"/>), each piece encrypted as it is sent.
/// </summary>
public sealed class TlsConnection : Connection
{
    private readonly Connection _inner;
    private readonly SslStream _ssl;
    private Task? _closeNotify;
    private int _shutdown;

    internal TlsConnection(Connection inner, SslStream ssl)
        : base((inner ?? throw new ArgumentNullException(nameof(inner))).Info)
    {
        _inner = inner;
        _ssl = ssl;
    }

    /// <summary>The negotiated version, cipher and ALPN protocol, for logs and tests.</summary>
    public SslStream Session => _ssl;

    /// <summary>
    /// Raw bytes waiting on the connection below, as a hint that a receive will not wait. Plaintext
    /// SslStream decrypted ahead is not visible, so this may say 0 while some is (the contract allows it).
    /// </summary>
    public override int Available => _inner.Available;

    public override async ValueTask WaitForDataAsync(CancellationToken cancellationToken = default)
    {
        // A zero-byte read: SslStream then reads from the connection only once bytes are there, holding no buffer meanwhile.
        _ = await _ssl.ReadAsync(Memory<byte>.Empty, cancellationToken);
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _ssl.ReadAsync(buffer, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _ssl.WriteAsync(buffer, cancellationToken);

    /// <summary>
    /// Sends TLS's close_notify alert, then half-closes the connection below, so the peer reads a
    /// clean end of stream (RFC 8446 §6.1: each side sends close_notify before closing its write side;
    /// OpenSSL 3 reports an end without it as "unexpected eof"). The alert is small and its send
    /// usually completes at once; when it does not, the half-close follows it, and
    /// <see cref="CompleteAsync"/> waits for both.
    /// </summary>
    public override void ShutdownSend()
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return;
        }

        Task alert;
        try
        {
            alert = _ssl.ShutdownAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            _inner.ShutdownSend();
            return;
        }

        if (alert.IsCompletedSuccessfully)
        {
            _inner.ShutdownSend();
            return;
        }

        _closeNotify = FinishShutdownAsync(alert);
    }

    private async Task FinishShutdownAsync(Task alert)
    {
        try
        {
            await alert;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The peer is gone; the half-close below says the rest.
        }

        _inner.ShutdownSend();
    }

    /// <summary>Waits for a close_notify still being sent (the TLS middleware calls it before the door closes the socket).</summary>
    internal Task CompleteAsync() => _closeNotify ?? Task.CompletedTask;

    public override void Abort() => _inner.Abort();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Leaves the connection below open (the door closes it) and gives SslStream's buffers back.
            _ssl.Dispose();
        }
    }
}
