namespace Doorway.Transport;

/// <summary>
/// A protocol, as the UDP door sees it: one call per datagram, answered in place. The door owns
/// both buffers; the handler must not keep them. Called from several receivers at once.
/// </summary>
public interface IDatagramHandler
{
    /// <summary>The reply buffer the door must provide for a datagram of <paramref name="datagramLength"/> bytes.</summary>
    int MaxReplyLength(int datagramLength);

    /// <summary>
    /// Answers one datagram: writes the reply into <paramref name="reply"/> and returns its length
    /// (0 is an empty reply), or -1 to send nothing.
    /// </summary>
    int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply);

    /// <summary>
    /// As <see cref="OnDatagram(ReadOnlySpan{byte}, Span{byte})"/>, told who sent it (the native
    /// address, valid for this call only): for a protocol that limits per source (DNS response
    /// rate limiting, issue 14). Ignores the sender unless a handler overrides it.
    /// </summary>
    int OnDatagram(ReadOnlySpan<byte> datagram, System.Net.SocketAddress sender, Span<byte> reply) => OnDatagram(datagram, reply);
}
