using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Net.Sockets;

namespace Doorway.Transport;

public sealed partial class UdpDoor
{
    /// <summary>Room for a sender's address: sockaddr_in6 is 28 bytes, sockaddr_in 16.</summary>
    private const int NameSlot = 32;

    /// <summary>Each datagram's buffer in a batch: the largest UDP payload (65527) fits whole.</summary>
    private const int DatagramSlot = 64 * 1024;

    /// <summary>
    /// Replies go out in groups of this many (one sendmmsg), not all at the end of a batch: a client
    /// gets its reply within a few datagrams' work, and can send its next one while the receiver
    /// answers the rest, so two cores stay busy. Holding a whole batch of 32 replies until the end
    /// made ping-pong clients wait in turn (and, with the receiver preempted on a busy host, some
    /// replies came later than the load generator's 200 ms); 1, 4 and 8 were measured interleaved
    /// and 4 was the fastest with nothing late (docs/benchmarks.md, issue 11).
    /// </summary>
    private const int ReplyGroup = 4;

    /// <summary>The most reply bytes a batch gathers before it sends what it has (one largest reply always fits).</summary>
    private const int ReplyArena = 1024 * 1024;

    /// <summary>Whether the receivers take datagrams in batches (recvmmsg/sendmmsg) rather than one at a time.</summary>
    internal bool Batched => _options.Batch > 1 && NativeDatagrams.Supported;

    /// <summary>
    /// One batched receiver's memory, made once when it starts and pinned for its life: the kernel
    /// writes datagrams and addresses straight into it, and reads replies straight from it, so a
    /// batch costs no copy and no allocation. Arrays over 2 KiB are allocated uninitialized, so the
    /// pages of the 64 KiB datagram slots that no datagram reaches are never touched.
    /// </summary>
    private sealed class BatchBuffers
    {
        public readonly int Count;
        public readonly byte[] Names;
        public readonly byte[] Datagrams;
        public readonly byte[] Replies;
        public readonly NativeDatagrams.MessageHeader[] ReceiveHeaders;
        public readonly NativeDatagrams.MessageHeader[] SendHeaders;
        private readonly NativeDatagrams.IoVector[] _receiveVectors;
        private readonly NativeDatagrams.IoVector[] _sendVectors;
        private readonly int[] _sendDatagrams;
        private readonly nint _names;
        private readonly nint _replies;
        private readonly nint _sendVectorsAddress;

        public BatchBuffers(int count, int replyLength)
        {
            Count = count;
            Names = GC.AllocateUninitializedArray<byte>(count * NameSlot, pinned: true);
            Datagrams = GC.AllocateUninitializedArray<byte>(count * DatagramSlot, pinned: true);
            Replies = GC.AllocateUninitializedArray<byte>(Math.Max(replyLength, (int)Math.Min((long)count * replyLength, ReplyArena)), pinned: true);
            ReceiveHeaders = new NativeDatagrams.MessageHeader[count];
            SendHeaders = new NativeDatagrams.MessageHeader[count];
            _receiveVectors = GC.AllocateArray<NativeDatagrams.IoVector>(count, pinned: true);
            _sendVectors = GC.AllocateArray<NativeDatagrams.IoVector>(count, pinned: true);
            _sendDatagrams = new int[count];
            _names = Marshal.UnsafeAddrOfPinnedArrayElement(Names, 0);
            _replies = Marshal.UnsafeAddrOfPinnedArrayElement(Replies, 0);
            _sendVectorsAddress = Marshal.UnsafeAddrOfPinnedArrayElement(_sendVectors, 0);
            nint datagrams = Marshal.UnsafeAddrOfPinnedArrayElement(Datagrams, 0);
            nint receiveVectors = Marshal.UnsafeAddrOfPinnedArrayElement(_receiveVectors, 0);
            for (int i = 0; i < count; i++)
            {
                _receiveVectors[i] = new NativeDatagrams.IoVector { Base = datagrams + (i * DatagramSlot), Length = DatagramSlot };
                ReceiveHeaders[i].IoVectors = receiveVectors + (i * Marshal.SizeOf<NativeDatagrams.IoVector>());
                ReceiveHeaders[i].IoVectorCount = 1;
                ReceiveHeaders[i].Name = _names + (i * NameSlot);
            }
        }

        /// <summary>The datagram whose reply is send <paramref name="slot"/>.</summary>
        public int DatagramOf(int slot) => _sendDatagrams[slot];

        /// <summary>The length of the reply queued as send <paramref name="slot"/>.</summary>
        public int ReplyLengthOf(int slot) => (int)_sendVectors[slot].Length;

        /// <summary>Readies every receive header for the next recvmmsg (the kernel overwrote the lengths and flags).</summary>
        public void ResetReceive()
        {
            foreach (ref var header in ReceiveHeaders.AsSpan())
            {
                header.NameLength = NameSlot;
                header.Flags = 0;
                header.Length = 0;
            }
        }

        /// <summary>Queues the reply at <paramref name="replyOffset"/> to datagram <paramref name="datagram"/>'s sender as send <paramref name="slot"/>.</summary>
        public void Queue(int slot, int datagram, int replyOffset, int length)
        {
            _sendDatagrams[slot] = datagram;
            _sendVectors[slot] = new NativeDatagrams.IoVector { Base = _replies + replyOffset, Length = (nuint)length };
            SendHeaders[slot] = new NativeDatagrams.MessageHeader
            {
                Name = _names + (datagram * NameSlot),
                NameLength = ReceiveHeaders[datagram].NameLength,
                IoVectors = _sendVectorsAddress + (slot * Marshal.SizeOf<NativeDatagrams.IoVector>()),
                IoVectorCount = 1,
            };
        }
    }

    private void RunBatched(Receiver receiver)
    {
        try
        {
            var buffers = new BatchBuffers(Math.Min(_options.Batch, UdpDoorOptions.MaxBatch), receiver.ReplyLength);
            while (!_stopping && AnswerBatch(receiver, buffers))
            {
            }
        }
        catch (Exception e)
        {
            // AnswerBatch absorbs everything it expects; anything else ends this receiver, not the door.
            TransportLog.UdpReceiverFailed(_logger, e, Name);
        }
        finally
        {
            receiver.Done.TrySetResult();
        }
    }

    /// <summary>Receives up to a batch of datagrams in one call, answers each, sends the replies; false when the door is closing.</summary>
    private bool AnswerBatch(Receiver receiver, BatchBuffers buffers)
    {
        buffers.ResetReceive();
        int received = NativeDatagrams.Receive(_socket.SafeHandle, buffers.ReceiveHeaders, NativeDatagrams.WaitForOne, out int errno);
        if (_stopping)
        {
            // shutdown(SHUT_RD) makes the receive return at once with empty "datagrams": none is real.
            return false;
        }

        if (received < 0)
        {
            if (IsAbsorbed(errno))
            {
                // As in the one-at-a-time path: an ICMP error for an earlier reply, about a client that left.
                Volatile.Write(ref receiver.NetworkErrors, receiver.NetworkErrors + 1);
                TransportLog.UdpReceiveErrorAbsorbed(_logger, Name, ErrorName(errno));
                return true;
            }

            if (errno == NativeDatagrams.BadDescriptor)
            {
                return false;
            }

            throw new IOException($"recvmmsg failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        Volatile.Write(ref receiver.Received, receiver.Received + received);
        if (received > receiver.LargestBatch)
        {
            Volatile.Write(ref receiver.LargestBatch, received);
        }

        int used = 0, queued = 0;
        for (int i = 0; i < received; i++)
        {
            ref var header = ref buffers.ReceiveHeaders[i];
            int length = (int)header.Length;
            int need = _handler.MaxReplyLength(length);
            if (used + need > buffers.Replies.Length)
            {
                // The replies so far fill the arena: send them, and start again at its beginning.
                if (!SendQueued(receiver, buffers, queued))
                {
                    return false;
                }

                used = queued = 0;
            }

            int reply;
            try
            {
                reply = _handler.OnDatagram(buffers.Datagrams.AsSpan(i * DatagramSlot, length), SenderAt(receiver, buffers, i), buffers.Replies.AsSpan(used, need));
            }
            catch (Exception e)
            {
                Volatile.Write(ref receiver.HandlerFailures, receiver.HandlerFailures + 1);
                TransportLog.UdpHandlerFailed(_logger, e, Name, SenderOf(SenderAt(receiver, buffers, i)));
                continue;
            }

            if (reply < 0)
            {
                Volatile.Write(ref receiver.Unanswered, receiver.Unanswered + 1);
                continue;
            }

            if (reply > _maxPayload)
            {
                CountOversize(receiver, SenderAt(receiver, buffers, i), reply);
                continue;
            }

            if (_budget is not null && !_budget.TrySpend(SenderAt(receiver, buffers, i), reply, Stopwatch.GetTimestamp()))
            {
                // Not answered: past the source's budget the door would be an amplifier (issue 8).
                Volatile.Write(ref receiver.OverBudget, receiver.OverBudget + 1);
                continue;
            }

            buffers.Queue(queued++, i, used, reply);
            used += reply;
            if (queued == ReplyGroup)
            {
                if (!SendQueued(receiver, buffers, queued))
                {
                    return false;
                }

                used = queued = 0;
            }
        }

        return SendQueued(receiver, buffers, queued);
    }

    /// <summary>Sends the first <paramref name="count"/> queued replies; a reply the kernel refuses is counted and skipped.</summary>
    private bool SendQueued(Receiver receiver, BatchBuffers buffers, int count)
    {
        int next = 0;
        while (next < count)
        {
            int sent = NativeDatagrams.Send(_socket.SafeHandle, buffers.SendHeaders.AsSpan(next, count - next), out int errno);
            if (sent > 0)
            {
                Volatile.Write(ref receiver.Replied, receiver.Replied + sent);
                next += sent;
                continue;
            }

            if (errno == NativeDatagrams.BadDescriptor)
            {
                return false;
            }

            // sendmmsg reports an error only for its first datagram: that one is not sent; the rest go on.
            var sender = SenderAt(receiver, buffers, buffers.DatagramOf(next));
            if (errno == NativeDatagrams.MessageTooLong)
            {
                // Over 65507 bytes to an IPv4 sender of a dual-mode door: only the kernel knows the family's limit.
                CountOversize(receiver, sender, buffers.ReplyLengthOf(next));
            }
            else
            {
                Volatile.Write(ref receiver.NetworkErrors, receiver.NetworkErrors + 1);
                TransportLog.UdpSendFailed(_logger, Name, SenderOf(sender), ErrorName(errno));
            }

            next++;
        }

        return true;
    }

    /// <summary>Datagram <paramref name="index"/>'s sender, copied into the receiver's one <see cref="SocketAddress"/> (no allocation).</summary>
    private static SocketAddress SenderAt(Receiver receiver, BatchBuffers buffers, int index) =>
        CopySender(receiver.Sender, buffers.Names.AsSpan(index * NameSlot, (int)Math.Min(buffers.ReceiveHeaders[index].NameLength, NameSlot)));

    private static SocketAddress CopySender(SocketAddress sender, ReadOnlySpan<byte> name)
    {
        int length = Math.Min(name.Length, sender.Buffer.Length);
        name[..length].CopyTo(sender.Buffer.Span);
        sender.Size = length;
        return sender;
    }

    private static bool IsAbsorbed(int errno) => errno is
        NativeDatagrams.ConnectionReset or NativeDatagrams.ConnectionRefused or NativeDatagrams.HostUnreachable
        or NativeDatagrams.NetworkUnreachable or NativeDatagrams.MessageTooLong or NativeDatagrams.NoBufferSpace
        or NativeDatagrams.Interrupted or NativeDatagrams.TryAgain or NativeDatagrams.TimedOut;

    private static string ErrorName(int errno) => errno switch
    {
        NativeDatagrams.ConnectionReset => nameof(SocketError.ConnectionReset),
        NativeDatagrams.ConnectionRefused => nameof(SocketError.ConnectionRefused),
        NativeDatagrams.HostUnreachable => nameof(SocketError.HostUnreachable),
        NativeDatagrams.NetworkUnreachable => nameof(SocketError.NetworkUnreachable),
        NativeDatagrams.MessageTooLong => nameof(SocketError.MessageSize),
        NativeDatagrams.NoBufferSpace => nameof(SocketError.NoBufferSpaceAvailable),
        NativeDatagrams.Interrupted => nameof(SocketError.Interrupted),
        NativeDatagrams.TryAgain => nameof(SocketError.WouldBlock),
        NativeDatagrams.TimedOut => nameof(SocketError.TimedOut),
        _ => $"errno {errno}",
    };
}
