using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Doorway.Transport.Epoll;

/// <summary>sockaddr_in and sockaddr_in6 (netinet/in.h) to and from <see cref="IPEndPoint"/>.</summary>
internal static unsafe class SocketAddresses
{
    /// <summary>sizeof(struct sockaddr_in6), the larger of the two.</summary>
    public const int MaxLength = 28;

    public static uint Write(IPEndPoint endPoint, byte* destination)
    {
        var span = new Span<byte>(destination, MaxLength);
        span.Clear();
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, EpollInterop.AfInet);
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)endPoint.Port);
            endPoint.Address.TryWriteBytes(span[4..8], out _);
            return 16;
        }

        // sa_family is in host order; Linux runs these on little-endian machines only here (x86-64, arm64).
        BinaryPrimitives.WriteUInt16LittleEndian(span, EpollInterop.AfInet6);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)endPoint.Port);
        endPoint.Address.TryWriteBytes(span[8..24], out _);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)endPoint.Address.ScopeId);
        return MaxLength;
    }

    public static IPEndPoint Read(byte* source, uint length)
    {
        var span = new ReadOnlySpan<byte>(source, (int)Math.Min(length, MaxLength));
        if (span.Length < 2)
        {
            return new IPEndPoint(IPAddress.None, 0);
        }

        int family = BinaryPrimitives.ReadUInt16LittleEndian(span);
        if (family == EpollInterop.AfInet && span.Length >= 8)
        {
            return new IPEndPoint(new IPAddress(span[4..8]), BinaryPrimitives.ReadUInt16BigEndian(span[2..]));
        }

        if (family == EpollInterop.AfInet6 && span.Length >= 24)
        {
            long scope = span.Length >= 28 ? BinaryPrimitives.ReadUInt32LittleEndian(span[24..]) : 0;
            return new IPEndPoint(new IPAddress(span[8..24], scope), BinaryPrimitives.ReadUInt16BigEndian(span[2..]));
        }

        return new IPEndPoint(IPAddress.None, 0);
    }
}
