using System.Net;

namespace Doorway.Transport;

/// <summary>
/// A connection door as a protocol sees it: bytes in, bytes out, a half-close, an abort. No
/// protocol touches a socket; a middleware may wrap a connection (replaying bytes it read ahead,
/// later TLS) and may set the endpoints (a PROXY header names the real client). Every wrapper
/// shares its inner connection's <see cref="Info"/>: one identity, one set of counters, one timeout control.
/// </summary>
public abstract class Connection : IDisposable
{
    protected Connection(ConnectionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        Info = info;
    }

    /// <summary>Identity, endpoints, counters and state, as the registry shows them.</summary>
    public ConnectionInfo Info { get; }

    /// <summary>A number unique within one door, for logs.</summary>
    public long Id => Info.Id;

    /// <summary>The client's address; IPv4 clients of a dual-mode door appear as plain IPv4.</summary>
    public IPEndPoint RemoteEndPoint
    {
        get => Info.RemoteEndPoint;
        set => Info.RemoteEndPoint = value;
    }

    public IPEndPoint LocalEndPoint
    {
        get => Info.LocalEndPoint;
        set => Info.LocalEndPoint = value;
    }

    /// <summary>The connection's timeouts (idle, request head, minimum data rate), driven by the door's heartbeat.</summary>
    public TimeoutControl Timeouts => Info.Timeouts;

    /// <summary>Bytes that can be received now without waiting (0 when unknown or none).</summary>
    public abstract int Available { get; }

    /// <summary>
    /// Waits until bytes can be read (or the peer closed) without holding a buffer, so an idle
    /// connection costs no buffer memory.
    /// </summary>
    public abstract ValueTask WaitForDataAsync(CancellationToken cancellationToken = default);

    /// <summary>Receives at most <paramref name="buffer"/>.Length bytes; 0 means the peer closed its side.</summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Sends all of <paramref name="buffer"/>.</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a part of an open file, with the kernel's copy (sendfile) where the connection has one,
    /// or through a pooled buffer where it has not (TLS, in memory).
    /// </summary>
    public virtual Task SendFileAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default) =>
        FileCopySender.SendAsync(this, file, offset, count, cancellationToken);

    /// <summary>Half-closes: the peer reads end-of-stream after the bytes already sent.</summary>
    public abstract void ShutdownSend();

    /// <summary>Ends the connection now: pending operations fail; bytes not yet sent may be lost.</summary>
    public abstract void Abort();

    /// <summary>Releases what this object holds. A wrapper releases its own state, not the connection it wraps.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    internal static IPEndPoint Normalize(EndPoint? endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            return new IPEndPoint(IPAddress.None, 0);
        }

        return ip.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port) : ip;
    }
}
