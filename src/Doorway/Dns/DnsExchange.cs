using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Doorway.Dns;

/// <summary>
/// One question to one server, as a resolver or a client asks it: over UDP from a fresh socket (a
/// port the kernel picks at random) with a random ID, or over TCP. A UDP reply counts only if it
/// comes from the server asked (the socket is connected), has the query's ID, is a response, and
/// repeats the question (name without case, type, class); anything else is a stray or a forgery
/// and is ignored while the wait goes on (RFC 5452 §4, §9.1). A truncated reply is asked again over TCP.
/// </summary>
public static class DnsExchange
{
    /// <summary>What an exchange returns: the reply, who answered, how, and how long it took.</summary>
    public sealed record Result(DnsMessage Message, IPEndPoint Server, bool OverTcp, TimeSpan Elapsed);

    public const ushort PayloadSize = 1232;

    /// <summary>Replies ignored because they did not match their question, across the process (for tests and logs).</summary>
    public static long Ignored => Interlocked.Read(ref s_ignored);

    private static long s_ignored;

    /// <summary>Asks; returns null on timeout. Throws <see cref="SocketException"/> only for a TCP connection that cannot be made.</summary>
    public static async Task<Result?> AskAsync(IPEndPoint server, DnsName name, DnsType type, bool recursionDesired, bool tcp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        byte[] query = new byte[DnsName.MaxLength + 32];
        ushort id = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
        int length = DnsMessage.WriteQuery(query, id, name, type, recursionDesired, PayloadSize);
        try
        {
            if (!tcp)
            {
                var reply = await UdpAsync(server, query.AsMemory(0, length), id, name, type, deadline.Token);
                if (!reply.Truncated)
                {
                    return new Result(reply, server, false, clock.Elapsed);
                }
            }

            var whole = await TcpAsync(server, query.AsMemory(0, length), id, name, type, deadline.Token);
            return whole is null ? null : new Result(whole, server, true, clock.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException) when (!tcp)
        {
            // An ICMP port unreachable surfaces as a refused receive: that server is not there.
            return null;
        }
    }

    private static async Task<DnsMessage> UdpAsync(IPEndPoint server, ReadOnlyMemory<byte> query, ushort id, DnsName name, DnsType type, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Connected: the kernel drops datagrams from any other address or port.
        await socket.ConnectAsync(server, cancellationToken);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken);
        byte[] buffer = new byte[65535];
        while (true)
        {
            int received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (Matches(buffer.AsSpan(0, received), id, name, type) is { } reply)
            {
                return reply;
            }

            Interlocked.Increment(ref s_ignored);
        }
    }

    private static async Task<DnsMessage?> TcpAsync(IPEndPoint server, ReadOnlyMemory<byte> query, ushort id, DnsName name, DnsType type, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancellationToken);
        byte[] framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed.AsMemory(2));
        await socket.SendAsync(framed, SocketFlags.None, cancellationToken);
        byte[] prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix, cancellationToken))
        {
            return null;
        }

        byte[] message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        if (!await ReadExactlyAsync(socket, message, cancellationToken))
        {
            return null;
        }

        return Matches(message, id, name, type);
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    /// <summary>The reply, if it answers this query; null for anything else.</summary>
    internal static DnsMessage? Matches(ReadOnlySpan<byte> reply, ushort id, DnsName name, DnsType type)
    {
        if (reply.Length < DnsFlags.HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(reply) != id)
        {
            return null;
        }

        var message = DnsMessage.Parse(reply);
        if (message is null || !message.IsResponse)
        {
            return null;
        }

        // A FORMERR may come without the question; any other answer must repeat it.
        if (message.QuestionCount == 0)
        {
            return message.Rcode == DnsRcode.FormErr ? message : null;
        }

        return message.QuestionCount == 1 && message.QuestionName.Equals(name) && message.QuestionType == type && message.QuestionClass == DnsFlags.ClassIn ? message : null;
    }
}
