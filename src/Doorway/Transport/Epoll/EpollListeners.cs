using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport.Epoll;

/// <summary>
/// The Linux transport's side of a welcome door: one listening socket per loop, all bound to the
/// door's port with SO_REUSEPORT, so the kernel spreads connections over the loops without one
/// accept thread or a shared lock (Red Hat's Kestrel transport does the same, one per thread).
/// </summary>
/// <remarks>
/// SO_REUSEPORT would also let another process of the same user bind the same port and silently
/// take a share of the clients (DESIGN.md's warning about .NET's ReuseAddress). So before the group
/// binds, a plain socket (no SO_REUSEPORT) binds the port and lets it go: a port held by anyone
/// refuses it (EADDRINUSE, as the managed door reports); and a later server that binds without
/// SO_REUSEPORT (the managed door, nginx, this transport's own probe) is refused by the group.
/// </remarks>
internal sealed unsafe class EpollListeners
{
    private readonly EpollLoop[] _loops;
    private bool _started;

    private EpollListeners(EpollLoop[] loops, IPEndPoint localEndPoint)
    {
        _loops = loops;
        LocalEndPoint = localEndPoint;
    }

    public IPEndPoint LocalEndPoint { get; }

    public int Loops => _loops.Length;

    /// <summary>The loops a door gets when it asks for none: one per core the process may run on.</summary>
    public static int DefaultLoops => Environment.ProcessorCount;

    /// <summary>Whether this transport can run here (Linux: epoll, SO_REUSEPORT, accept4).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    public static EpollListeners Bind(IPEndPoint endPoint, int backlog, int loops, ILogger logger)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("The epoll transport runs on Linux only; use the sockets transport.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        var bound = endPoint;
        if (endPoint.Port != 0)
        {
            int probe = Open(endPoint, reusePort: false);
            EpollInterop.close(probe);
        }

        var fds = new List<int>(loops);
        var made = new List<EpollLoop>(loops);
        try
        {
            for (int i = 0; i < loops; i++)
            {
                int fd = Open(bound, reusePort: true, backlog);
                fds.Add(fd);
                if (i == 0)
                {
                    bound = Connection.Normalize(LocalAddress(fd));
                    bound = new IPEndPoint(endPoint.Address, bound.Port);
                }
            }

            for (int i = 0; i < loops; i++)
            {
                made.Add(new EpollLoop(i, new SocketDescriptor(fds[i]), logger));
            }
        }
        catch
        {
            // A loop made owns its listener from then on; the others are closed here.
            for (int i = made.Count; i < fds.Count; i++)
            {
                EpollInterop.close(fds[i]);
            }

            foreach (var loop in made)
            {
                loop.DisposeUnstarted();
            }

            throw;
        }

        return new EpollListeners([.. made], Connection.Normalize(bound));
    }

    public void Start(Action<AcceptedSocket> admit)
    {
        _started = true;
        foreach (var loop in _loops)
        {
            loop.Start(admit);
        }
    }

    /// <summary>Closes every listener; once done, no loop admits anyone.</summary>
    public Task CloseListenersAsync()
    {
        if (!_started)
        {
            // A door bound and never opened: no thread runs, so its loops are closed here.
            foreach (var loop in _loops)
            {
                loop.DisposeUnstarted();
            }

            return Task.CompletedTask;
        }

        return Task.WhenAll(_loops.Select(loop => loop.CloseListenerAsync()));
    }

    /// <summary>Ends the loops (their door's connections are all closed by then).</summary>
    public Task StopAsync() => _started ? Task.WhenAll(_loops.Select(loop => loop.StopAsync())) : Task.CompletedTask;

    private static int Open(IPEndPoint endPoint, bool reusePort, int backlog = 0)
    {
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        int fd = EpollInterop.socket(v6 ? EpollInterop.AfInet6 : EpollInterop.AfInet, EpollInterop.SockStream | EpollInterop.NonBlocking | EpollInterop.CloseOnExec, 0);
        if (fd < 0)
        {
            throw EpollInterop.Error(Marshal.GetLastPInvokeError());
        }

        try
        {
            int one = 1;
            // SO_REUSEADDR on Linux only lets a listener bind over connections in TIME_WAIT (as .NET's
            // sockets rebind); it never lets two listeners share a port. SO_REUSEPORT does, within the group.
            Check(EpollInterop.setsockopt(fd, EpollInterop.SolSocket, EpollInterop.SoReuseAddr, &one, sizeof(int)));
            if (reusePort)
            {
                Check(EpollInterop.setsockopt(fd, EpollInterop.SolSocket, EpollInterop.SoReusePort, &one, sizeof(int)));
            }

            if (v6)
            {
                // [::] is dual mode (IPv4 and IPv6), as DoorSocket makes it; any other IPv6 address is IPv6 only.
                int v6Only = endPoint.Address.Equals(IPAddress.IPv6Any) ? 0 : 1;
                Check(EpollInterop.setsockopt(fd, EpollInterop.IpProtoIpv6, EpollInterop.Ipv6V6Only, &v6Only, sizeof(int)));
            }

            byte* address = stackalloc byte[SocketAddresses.MaxLength];
            uint length = SocketAddresses.Write(endPoint, address);
            Check(EpollInterop.bind(fd, address, length));
            if (reusePort)
            {
                Check(EpollInterop.listen(fd, backlog));
            }

            return fd;
        }
        catch
        {
            EpollInterop.close(fd);
            throw;
        }
    }

    private static IPEndPoint LocalAddress(int fd)
    {
        byte* address = stackalloc byte[SocketAddresses.MaxLength];
        uint length = SocketAddresses.MaxLength;
        Check(EpollInterop.getsockname(fd, address, &length));
        return SocketAddresses.Read(address, length);
    }

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw EpollInterop.Error(Marshal.GetLastPInvokeError());
        }
    }
}
