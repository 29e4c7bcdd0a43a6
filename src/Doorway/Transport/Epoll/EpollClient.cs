using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport.Epoll;

/// <summary>
/// The Linux transport on a client's side (the load generator): loops without listeners, and
/// non-blocking connects whose completion the loop reports as the first writability edge.
/// Connections are spread over the loops in turn.
/// </summary>
internal sealed class EpollClient : IAsyncDisposable
{
    private readonly EpollLoop[] _loops;
    private readonly int _sendBufferBytes;
    private long _next;
    private long _nextId;

    /// <param name="sendBufferBytes">SO_SNDBUF for each connection; 0 leaves the kernel's sizing.</param>
    public EpollClient(int loops, ILogger logger, int sendBufferBytes = 0)
    {
        _sendBufferBytes = sendBufferBytes;
        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        _loops = new EpollLoop[loops];
        for (int i = 0; i < loops; i++)
        {
            _loops[i] = new EpollLoop(i, listener: null, logger);
            _loops[i].Start(static _ => { });
        }
    }

    /// <summary>
    /// Connects to the first of the server's addresses that answers, as <see cref="TcpConnector"/> does.
    /// Throws <see cref="SocketException"/> or <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<Connection> ConnectAsync(HostPort server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            IPAddress[] addresses = await server.ResolveAsync(deadline.Token);
            SocketException? last = null;
            foreach (var address in addresses)
            {
                try
                {
                    return await ConnectAsync(new IPEndPoint(address, server.Port), deadline.Token);
                }
                catch (SocketException e)
                {
                    last = e;
                }
            }

            throw last ?? new SocketException((int)SocketError.HostNotFound);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"timed out: no answer from {server} within {timeout.TotalSeconds:0.###} s");
        }
    }

    private async Task<Connection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var descriptor = Open(endPoint, _sendBufferBytes);
        var loop = _loops[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_loops.Length)];
        var info = new ConnectionInfo("bench", Interlocked.Increment(ref _nextId), new IPEndPoint(IPAddress.None, 0), endPoint);
        var connection = new EpollConnection(new AcceptedSocket(descriptor, loop, info.LocalEndPoint, endPoint), info, TimeoutPolicy.From(WelcomeDoorOptions.Default), dispatchToThreadPool: false);
        try
        {
            await connection.WaitConnectedAsync(cancellationToken);
            return connection;
        }
        catch
        {
            connection.Abort();
            connection.Dispose();
            throw;
        }
    }

    private static unsafe SocketDescriptor Open(IPEndPoint endPoint, int sendBufferBytes)
    {
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        int fd = EpollInterop.socket(v6 ? EpollInterop.AfInet6 : EpollInterop.AfInet, EpollInterop.SockStream | EpollInterop.NonBlocking | EpollInterop.CloseOnExec, 0);
        if (fd < 0)
        {
            throw EpollInterop.Error(Marshal.GetLastPInvokeError());
        }

        var descriptor = new SocketDescriptor(fd);
        int one = 1;
        _ = EpollInterop.setsockopt(fd, EpollInterop.IpProtoTcp, EpollInterop.TcpNoDelay, &one, sizeof(int));
        if (sendBufferBytes > 0)
        {
            _ = EpollInterop.setsockopt(fd, EpollInterop.SolSocket, EpollInterop.SoSndBuf, &sendBufferBytes, sizeof(int));
        }
        byte* address = stackalloc byte[SocketAddresses.MaxLength];
        uint length = SocketAddresses.Write(endPoint, address);
        if (EpollInterop.connect(fd, address, length) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EpollInterop.EINPROGRESS)
            {
                descriptor.Dispose();
                throw EpollInterop.Error(errno);
            }
        }

        return descriptor;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var loop in _loops)
        {
            await loop.StopAsync();
        }
    }
}
