using Doorway.Capitalize;
using Doorway.Transport;

namespace Doorway.Tests.Udp;

/// <summary>
/// A datagram handler (the capitalize one unless given another), reading each receiver thread's allocation counter at every datagram:
/// between two datagrams a receiver runs the door's whole loop (receive, answer, send), so the
/// counter's growth while <see cref="Measuring"/> is what the door allocates per datagram,
/// unblurred by anything else running in the test process.
/// </summary>
internal sealed class AllocationCountingHandler(IDatagramHandler? inner = null) : IDatagramHandler
{
    [ThreadStatic]
    private static Slot? t_slot;

    private readonly IDatagramHandler _inner = inner ?? new UdpCapitalizeHandler();
    private readonly List<Slot> _slots = [];
    private volatile bool _measuring;

    public bool Measuring
    {
        get => _measuring;
        set => _measuring = value;
    }

    /// <summary>Bytes the receiver threads allocated from their first to their last datagram while measuring.</summary>
    public long Allocated
    {
        get
        {
            lock (_slots)
            {
                return _slots.Sum(static s => s.Last - s.First);
            }
        }
    }

    /// <summary>Datagrams seen while measuring.</summary>
    public long Measured
    {
        get
        {
            lock (_slots)
            {
                return _slots.Sum(static s => s.Count);
            }
        }
    }

    public int MaxReplyLength(int datagramLength) => _inner.MaxReplyLength(datagramLength);

    public int OnDatagram(ReadOnlySpan<byte> datagram, Span<byte> reply)
    {
        Count();
        return _inner.OnDatagram(datagram, reply);
    }

    public int OnDatagram(ReadOnlySpan<byte> datagram, System.Net.SocketAddress sender, Span<byte> reply)
    {
        Count();
        return _inner.OnDatagram(datagram, sender, reply);
    }

    private void Count()
    {
        var slot = t_slot ??= Register();
        if (_measuring)
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (slot.Count++ == 0)
            {
                slot.First = now;
            }

            slot.Last = now;
        }
    }

    private Slot Register()
    {
        var slot = new Slot();
        lock (_slots)
        {
            _slots.Add(slot);
        }

        return slot;
    }

    private sealed class Slot
    {
        public long First;
        public long Last;
        public long Count;
    }
}
