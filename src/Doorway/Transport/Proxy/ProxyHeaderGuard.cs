using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Transport;

/// <summary>
/// A connection from outside the trusted networks, on a door that takes the PROXY protocol: its
/// first bytes are checked as the protocol reads them, and a PROXY header there ends the connection
/// (logged once), so nobody but a balancer can name a client. It reads nothing ahead and waits for
/// nothing itself: a protocol that speaks first, or that answers a silent client, runs as without it.
/// </summary>
internal sealed class ProxyHeaderGuard : Connection
{
    private readonly Connection _inner;
    private readonly ILogger _logger;
    private bool _checked;

    public ProxyHeaderGuard(Connection inner, ILogger logger)
        : base((inner ?? throw new ArgumentNullException(nameof(inner))).Info)
    {
        _inner = inner;
        _logger = logger;
    }

    public override int Available => _inner.Available;

    public override ValueTask WaitForDataAsync(CancellationToken cancellationToken = default) => _inner.WaitForDataAsync(cancellationToken);

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _checked ? _inner.ReceiveAsync(buffer, cancellationToken) : FirstReceiveAsync(buffer, cancellationToken);

    private async ValueTask<int> FirstReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int count = 0;
        while (true)
        {
            int received = await _inner.ReceiveAsync(buffer[count..], cancellationToken);
            count += received;
            bool? header = ProxyHeaderParser.StartsHeader(buffer.Span[..count]);
            if (header == true)
            {
                ProxyLog.Untrusted(_logger, Info.Door, Id, RemoteEndPoint);
                // A network end, as the door sees it: it closes the connection without a handler error.
                throw new IOException("a PROXY header from an untrusted peer", new SocketException((int)SocketError.ConnectionAborted));
            }

            // Undecided bytes are still a client's own when it ended, went quiet (a header arrives whole,
            // §2), or filled the caller's buffer.
            if (header == false || received == 0 || count == buffer.Length || _inner.Available == 0)
            {
                _checked = true;
                return count;
            }
        }
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.SendAsync(buffer, cancellationToken);

    public override Task SendFileAsync(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(file, offset, count, cancellationToken);

    public override void ShutdownSend() => _inner.ShutdownSend();

    public override void Abort() => _inner.Abort();
}
