using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Doorway.Transport;

public sealed partial class UdpDoor
{
    /// <summary>One receiver's buffers and counts; the counts have one writer, the receiver's thread.</summary>
    private sealed class Receiver(int maxPayload, int replyLength, AddressFamily family)
    {
        // A datagram larger than the buffer would be cut silently; the largest payload always fits.
        public readonly int DatagramLength = Math.Max(maxPayload, UdpDoorOptions.MaxIPv6Payload);
        public readonly int ReplyLength = replyLength;
        public readonly SocketAddress Sender = new(family);
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long Received;
        public long Replied;
        public long Unanswered;
        public long OverBudget;
        public long Oversize;
        public long NetworkErrors;
        public long HandlerFailures;
        public long LargestBatch;
    }

    private void Run(Receiver receiver)
    {
        byte[] datagram = ArrayPool<byte>.Shared.Rent(receiver.DatagramLength);
        byte[] reply = ArrayPool<byte>.Shared.Rent(receiver.ReplyLength);
        try
        {
            while (!_stopping && Answer(receiver, datagram, reply))
            {
            }
        }
        catch (Exception e)
        {
            // Answer absorbs everything it expects; anything else ends this receiver, not the door.
            TransportLog.UdpReceiverFailed(_logger, e, Name);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(datagram);
            ArrayPool<byte>.Shared.Return(reply);
            receiver.Done.TrySetResult();
        }
    }

    /// <summary>Receives and answers one datagram; false when the door is closing.</summary>
    private bool Answer(Receiver receiver, byte[] datagram, byte[] reply)
    {
        var sender = receiver.Sender;
        int received;
        try
        {
            received = _socket.ReceiveFrom(datagram.AsSpan(0, receiver.DatagramLength), SocketFlags.None, sender);
        }
        catch (SocketException e) when (!_stopping && IsAbsorbed(e.SocketErrorCode))
        {
            // An ICMP error (port unreachable) for an earlier reply surfaces here on some systems:
            // it is about a client that left, not about this door.
            Volatile.Write(ref receiver.NetworkErrors, receiver.NetworkErrors + 1);
            TransportLog.UdpReceiveErrorAbsorbed(_logger, Name, e.SocketErrorCode.ToString());
            return true;
        }
        catch (SocketException) when (_stopping)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        if (_stopping)
        {
            // shutdown(SHUT_RD) makes recvfrom return 0 with no sender: not a datagram.
            return false;
        }

        Volatile.Write(ref receiver.Received, receiver.Received + 1);
        receiver.LargestBatch = 1;
        int length;
        try
        {
            length = _handler.OnDatagram(datagram.AsSpan(0, received), sender, reply.AsSpan(0, receiver.ReplyLength));
        }
        catch (Exception e)
        {
            Volatile.Write(ref receiver.HandlerFailures, receiver.HandlerFailures + 1);
            TransportLog.UdpHandlerFailed(_logger, e, Name, SenderOf(sender));
            return true;
        }

        if (length < 0)
        {
            Volatile.Write(ref receiver.Unanswered, receiver.Unanswered + 1);
            return true;
        }

        if (length > _maxPayload)
        {
            CountOversize(receiver, sender, length);
            return true;
        }

        if (_budget is not null && !_budget.TrySpend(sender, length, Stopwatch.GetTimestamp()))
        {
            // Not answered: an answer past the budget would make the door an amplifier (issue 8).
            // The budget reports drops itself, a few lines at most, never one per datagram.
            Volatile.Write(ref receiver.OverBudget, receiver.OverBudget + 1);
            return true;
        }

        try
        {
            _socket.SendTo(reply.AsSpan(0, length), SocketFlags.None, sender);
            Volatile.Write(ref receiver.Replied, receiver.Replied + 1);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
        {
            // Over 65507 bytes to an IPv4 sender of a dual-mode door: only the kernel knows the family's limit.
            CountOversize(receiver, sender, length);
        }
        catch (SocketException e)
        {
            Volatile.Write(ref receiver.NetworkErrors, receiver.NetworkErrors + 1);
            TransportLog.UdpSendFailed(_logger, Name, SenderOf(sender), e.SocketErrorCode.ToString());
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return true;
    }

    private void CountOversize(Receiver receiver, SocketAddress sender, int length)
    {
        Volatile.Write(ref receiver.Oversize, receiver.Oversize + 1);
        long count = Interlocked.Increment(ref _oversizeLogged);
        // Logged at 1, 2, 4, 8, ...: visible without letting a client flood the log.
        if ((count & (count - 1)) == 0)
        {
            TransportLog.UdpReplyTooLarge(_logger, Name, length, SenderOf(sender), count);
        }
    }

    private static bool IsAbsorbed(SocketError error) => error is
        SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.HostUnreachable
        or SocketError.NetworkUnreachable or SocketError.MessageSize or SocketError.NoBufferSpaceAvailable
        or SocketError.Interrupted or SocketError.WouldBlock or SocketError.TimedOut;

    private static IPEndPoint SenderOf(SocketAddress address)
    {
        try
        {
            return Connection.Normalize(new IPEndPoint(IPAddress.IPv6Any, 0).Create(address));
        }
        catch (ArgumentException)
        {
            return new IPEndPoint(IPAddress.None, 0);
        }
    }
}
