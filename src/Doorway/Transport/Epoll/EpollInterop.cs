using System.Runtime.InteropServices;

namespace Doorway.Transport.Epoll;

/// <summary>
/// The Linux calls Doorway's own TCP transport makes: epoll(7), eventfd(2), and the socket calls
/// on non-blocking descriptors. Every call returns the kernel's answer; errno is read with
/// <see cref="Marshal.GetLastPInvokeError"/>. Constants are the generic Linux ones (x86-64 and
/// arm64 agree on all of them, asm-generic/socket.h and asm-generic/errno-base.h).
/// </summary>
internal static unsafe partial class EpollInterop
{
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const int EpollCtlMod = 3;

    public const uint EpollIn = 0x001;

    /// <summary>EPOLLPRI: for TCP, urgent data is queued (tcp_poll).</summary>
    public const uint EpollPri = 0x002;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollExclusive = 1u << 28;
    public const uint EpollEdgeTriggered = 1u << 31;

    public const int CloseOnExec = 0x80000;
    public const int NonBlocking = 0x800;

    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int SockStream = 1;
    public const int SolSocket = 1;
    public const int SoReuseAddr = 2;
    public const int SoReusePort = 15;
    public const int SoLinger = 13;
    public const int SoError = 4;
    public const int SoSndBuf = 7;
    public const int IpProtoTcp = 6;
    public const int IpProtoIpv6 = 41;
    public const int Ipv6V6Only = 26;
    public const int TcpNoDelay = 1;
    public const int ShutWrite = 1;
    public const int MsgNoSignal = 0x4000;
    public const int Fionread = 0x541B;

    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EMFILE = 24;
    public const int ENFILE = 23;
    public const int EPIPE = 32;
    public const int ECONNABORTED = 103;
    public const int ECONNRESET = 104;
    public const int ENOBUFS = 105;
    public const int ENOTCONN = 107;
    public const int ETIMEDOUT = 110;
    public const int EADDRINUSE = 98;
    public const int EADDRNOTAVAIL = 99;
    public const int EACCES = 13;
    public const int EINPROGRESS = 115;
    public const int ECONNREFUSED = 111;
    public const int EHOSTUNREACH = 113;
    public const int ENETUNREACH = 101;

    /// <summary>
    /// epoll_event is packed on x86-64 (12 bytes: events, then data at offset 4) and naturally
    /// aligned elsewhere (16 bytes, data at 8): include/uapi/linux/eventpoll.h, EPOLL_PACKED.
    /// </summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EventDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, byte* @event);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int bind(int fd, byte* address, uint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int listen(int fd, int backlog);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int accept4(int fd, byte* address, uint* length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int connect(int fd, byte* address, uint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getsockname(int fd, byte* address, uint* length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint sendfile(int outFd, int inFd, long* offset, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, int* value);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    /// <summary>Writes one epoll_event (events, data) into <paramref name="destination"/>.</summary>
    public static void WriteEvent(byte* destination, uint events, ulong data)
    {
        *(uint*)destination = events;
        *(ulong*)(destination + EventDataOffset) = data;
    }

    /// <summary>errno as the managed socket error, so the transports fail alike (NetworkErrors reads both).</summary>
    public static System.Net.Sockets.SocketError ToSocketError(int errno) => errno switch
    {
        ECONNRESET => System.Net.Sockets.SocketError.ConnectionReset,
        EPIPE => System.Net.Sockets.SocketError.Shutdown,
        ETIMEDOUT => System.Net.Sockets.SocketError.TimedOut,
        ENOTCONN => System.Net.Sockets.SocketError.NotConnected,
        ECONNABORTED => System.Net.Sockets.SocketError.ConnectionAborted,
        EBADF => System.Net.Sockets.SocketError.OperationAborted,
        EMFILE or ENFILE => System.Net.Sockets.SocketError.TooManyOpenSockets,
        ENOBUFS or ENOMEM => System.Net.Sockets.SocketError.NoBufferSpaceAvailable,
        EADDRINUSE => System.Net.Sockets.SocketError.AddressAlreadyInUse,
        EADDRNOTAVAIL => System.Net.Sockets.SocketError.AddressNotAvailable,
        EACCES => System.Net.Sockets.SocketError.AccessDenied,
        EAGAIN => System.Net.Sockets.SocketError.WouldBlock,
        ECONNREFUSED => System.Net.Sockets.SocketError.ConnectionRefused,
        EHOSTUNREACH => System.Net.Sockets.SocketError.HostUnreachable,
        ENETUNREACH => System.Net.Sockets.SocketError.NetworkUnreachable,
        _ => System.Net.Sockets.SocketError.SocketError,
    };

    public static System.Net.Sockets.SocketException Error(int errno) => new((int)ToSocketError(errno));
}
