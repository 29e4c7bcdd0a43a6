using Doorway.Capitalize;
using Doorway.Transport;
using Doorway.Tests.Support;

namespace Doorway.Tests.Udp;

/// <summary>
/// The capitalize handler with faults on purpose: drops the datagrams <see cref="Drop"/> picks
/// (by their number, from 1), can hold datagrams at a gate, and counts what it saw.
/// </summary>
internal sealed class TestDatagramHandler : IDatagramHandler
{
    private readonly UdpCapitalizeHandler _inner = new();
    private long _seen;

    /// <summary>Which datagrams (numbered from 1 in arrival order) get no reply.</summary>
    public Func<long, bool> Drop { get; init; } = static _ => false;

    /// <summary>Datagrams starting with this text wait at <see cref="Gate"/> before they are answered.</summary>
    public byte[]? HoldPrefix { get; init; }

    public ManualResetEventSlim Gate { get; } = new(false);

    /// <summary>Set each time a held datagram reaches the gate.</summary>
    public SemaphoreSlim Held { get; } = new(0);

    public long Seen => Interlocked.Read(ref _seen);

    /// <summary>When set, the reply room asked of the door for every datagram, whatever its length.</summary>
    public int? ReplyRoom { get; init; }

    public int MaxReplyLength(int datagramLength) => ReplyRoom ?? _inner.MaxReplyLength(datagramLength);

    public int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply)
    {
        long number = Interlocked.Increment(ref _seen);
        if (HoldPrefix is not null && datagram.StartsWith(HoldPrefix))
        {
            Held.Release();
            if (!Gate.Wait(Deadline.Default))
            {
                throw new TimeoutException("the test never opened the gate");
            }
        }

        if (datagram.SequenceEqual("boom"u8))
        {
            throw new InvalidOperationException("a handler bug, on purpose");
        }

        return Drop(number) ? -1 : _inner.OnDatagram(datagram, reply);
    }
}
