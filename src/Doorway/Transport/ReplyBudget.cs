using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

/// <summary>
/// The UDP door's reply budget (issue 8): a token bucket of reply bytes per source address, so
/// the door cannot be used to send any one address more than
/// <see cref="UdpDoorOptions.ReplyBytesPerSecondPerSource"/> (after a burst).
/// </summary>
/// <remarks>
/// The sources live in a fixed table of sets of <see cref="Ways"/> entries, found by a hash of
/// the address (randomized per process, so a sender cannot aim many sources at one set). A new
/// source in a full set takes the place of the one seen least recently, which has most likely
/// refilled already, so forgetting it costs nothing. Each stripe of sets has its own lock, held
/// for a scan of 8 entries: receivers only wait for each other on the same stripe, never on a
/// door-wide lock. Nothing is allocated per datagram; the table is allocated on the first
/// datagram that needs it, so a door that only ever hears loopback never pays for it.
/// Times are <see cref="Stopwatch.GetTimestamp"/> ticks, passed in so tests can set the clock.
/// </remarks>
internal sealed class ReplyBudget
{
    /// <summary>Entries per set (fewer only in a table smaller than 8): a scan of 8 is a cache line or two, and LRU over 8 is close to LRU over all.</summary>
    public const int Ways = 8;

    /// <summary>Lock stripes: far more than the 8 receivers at most, so two rarely meet.</summary>
    private const int MaxStripes = 256;

    // sockaddr_in keeps the address at byte 4, sockaddr_in6 at byte 8 (<netinet/in.h>; the same
    // offsets on Linux, the BSDs and Windows). SocketAddress.Buffer is the native structure.
    private const int IPv4AddressOffset = 4;
    private const int IPv6AddressOffset = 8;

    /// <summary>
    /// A source's drops are reported at most once per this interval, with their count: visible,
    /// and a flood from one source is one line every 10 seconds.
    /// </summary>
    public static readonly TimeSpan SourceReportInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// And at most one report a second for the whole door: a flood of spoofed sources, each with
    /// its own interval, must not flood the log either.
    /// </summary>
    public static readonly TimeSpan DoorReportInterval = TimeSpan.FromSeconds(1);

    private readonly string _door;
    private readonly ILogger _logger;
    private readonly long _rate;
    private readonly double _burst;
    private readonly double _bytesPerTick;
    private readonly bool _limitLoopback;
    private readonly int _ways;
    private readonly int _sets;
    private readonly int _stripes;
    private readonly long _sourceReportTicks;
    private readonly long _doorReportTicks;
    private Table? _table;
    private long _nextReportAt = long.MinValue;
    private long _tracked;
    private long _evictions;
    private long _forgotten;

    private ReplyBudget(string door, UdpDoorOptions options, ILogger logger)
    {
        _door = door;
        _logger = logger;
        _rate = options.ReplyBytesPerSecondPerSource;
        _burst = options.ReplyBurstBytesPerSource;
        _bytesPerTick = (double)_rate / Stopwatch.Frequency;
        _limitLoopback = options.LimitLoopback;
        _ways = Math.Min(Ways, options.ReplyBudgetSources);
        _sets = options.ReplyBudgetSources / _ways;
        Capacity = _sets * _ways;
        _stripes = Math.Min(_sets, MaxStripes);
        _sourceReportTicks = Ticks(SourceReportInterval);
        _doorReportTicks = Ticks(DoorReportInterval);
    }

    /// <summary>The most sources remembered at once: the table's fixed size.</summary>
    public int Capacity { get; }

    /// <summary>Sources remembered now (never more than <see cref="Capacity"/>).</summary>
    public long Sources => Interlocked.Read(ref _tracked);

    /// <summary>Sources forgotten to make room for new ones.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Of the <see cref="Evictions"/>, sources whose budget had not refilled yet: what a table too small costs.</summary>
    public long EvictionsOfSpentSources => Interlocked.Read(ref _forgotten);

    /// <summary>The door's budget, or null when <paramref name="options"/> set none (a rate of 0).</summary>
    public static ReplyBudget? Create(string door, UdpDoorOptions options, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.ReplyBytesPerSecondPerSource);
        if (options.ReplyBytesPerSecondPerSource == 0)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReplyBurstBytesPerSource, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReplyBudgetSources, 1);
        return new ReplyBudget(door, options, logger);
    }

    /// <summary>Converts a duration to <see cref="Stopwatch"/> ticks, the budget's clock.</summary>
    public static long Ticks(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// Spends <paramref name="length"/> reply bytes of <paramref name="sender"/>'s budget at time
    /// <paramref name="now"/>: true when the reply may go out, false when the budget cannot pay for
    /// it (then nothing is spent, and the drop is reported now or later, in a count).
    /// </summary>
    public bool TrySpend(SocketAddress sender, int length, long now)
    {
        if (!TryReadAddress(sender, out ulong high, out ulong low))
        {
            // Not IPv4 or IPv6: nothing a UDP door receives from, so nothing to budget.
            return true;
        }

        if (!_limitLoopback && IsLoopback(high, low))
        {
            return true;
        }

        var table = Volatile.Read(ref _table) ?? CreateTable();
        int set = (int)((uint)HashCode.Combine(high, low) % (uint)_sets);
        int first = set * _ways;
        bool allowed;
        long report = 0;
        bool evicted = false, evictedSpent = false;
        ulong evictedHigh = 0, evictedLow = 0;
        lock (table.Stripes[set % _stripes])
        {
            int found = -1, free = -1, stalest = first;
            for (int i = first; i < first + _ways; i++)
            {
                ref var entry = ref table.Sources[i];
                if (!entry.Used)
                {
                    free = free < 0 ? i : free;
                }
                else if (entry.High == high && entry.Low == low)
                {
                    found = i;
                    break;
                }
                else if (entry.Seen < table.Sources[stalest].Seen)
                {
                    stalest = i;
                }
            }

            if (found < 0)
            {
                if (free >= 0)
                {
                    found = free;
                    Interlocked.Increment(ref _tracked);
                }
                else
                {
                    // Every entry of the set is used here, so the stalest is one of them.
                    found = stalest;
                    ref var old = ref table.Sources[found];
                    evicted = true;
                    evictedSpent = Refilled(old, now) < _burst;
                    (evictedHigh, evictedLow) = (old.High, old.Low);
                }

                table.Sources[found] = new Source
                {
                    Used = true,
                    High = high,
                    Low = low,
                    Tokens = _burst,
                    Seen = now,
                    // So the first drop is reported at once.
                    ReportedAt = now - _sourceReportTicks,
                };
            }

            ref var source = ref table.Sources[found];
            if (now > source.Seen)
            {
                // Receivers read the clock on their own threads: a time older than the entry's is
                // no refill (never a second one for the same interval).
                source.Tokens = Refilled(source, now);
                source.Seen = now;
            }

            allowed = source.Tokens >= length;
            if (allowed)
            {
                source.Tokens -= length;
            }
            else
            {
                source.Unreported += source.Unreported < int.MaxValue ? 1 : 0;
                if (now - source.ReportedAt >= _sourceReportTicks && TryTakeDoorReport(now))
                {
                    report = source.Unreported;
                    source.Unreported = 0;
                    source.ReportedAt = now;
                }
            }
        }

        // Logged outside the lock: a slow log must not hold up the other receivers.
        if (evicted)
        {
            Interlocked.Increment(ref _evictions);
            if (evictedSpent)
            {
                long count = Interlocked.Increment(ref _forgotten);
                // Logged at 1, 2, 4, 8, ...: visible without letting a flood of sources flood the log.
                if ((count & (count - 1)) == 0 && _logger.IsEnabled(LogLevel.Warning))
                {
                    TransportLog.UdpBudgetSourceForgotten(_logger, _door, Capacity, AddressOf(evictedHigh, evictedLow), count);
                }
            }
        }

        if (report > 0 && _logger.IsEnabled(LogLevel.Warning))
        {
            TransportLog.UdpReplyOverBudget(_logger, _door, report, AddressOf(high, low), _rate, (long)_burst, SourceReportInterval);
        }

        return allowed;
    }

    /// <summary>
    /// Reads the sender's IP address as 128 bits, IPv4 mapped into IPv6 (::ffff:a.b.c.d), so an
    /// IPv4 sender is the same source whether the door's socket is IPv4 or dual mode.
    /// </summary>
    internal static bool TryReadAddress(SocketAddress address, out ulong high, out ulong low)
    {
        var bytes = address.Buffer.Span;
        switch (address.Family)
        {
            case AddressFamily.InterNetwork when address.Size >= IPv4AddressOffset + 4:
                high = 0;
                low = 0xFFFF_0000_0000UL | BinaryPrimitives.ReadUInt32BigEndian(bytes[IPv4AddressOffset..]);
                return true;
            case AddressFamily.InterNetworkV6 when address.Size >= IPv6AddressOffset + 16:
                high = BinaryPrimitives.ReadUInt64BigEndian(bytes[IPv6AddressOffset..]);
                low = BinaryPrimitives.ReadUInt64BigEndian(bytes[(IPv6AddressOffset + 8)..]);
                return true;
            default:
                high = low = 0;
                return false;
        }
    }

    /// <summary>127.0.0.0/8 (RFC 1122 §3.2.1.3), as IPv4 or IPv4-mapped, and ::1 (RFC 4291 §2.5.3).</summary>
    internal static bool IsLoopback(ulong high, ulong low) =>
        high == 0 && (low == 1 || (low >> 24) == 0xFFFF_7FUL);

    private static IPAddress AddressOf(ulong high, ulong low)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], low);
        var address = new IPAddress(bytes);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    private double Refilled(in Source source, long now) =>
        now > source.Seen ? Math.Min(_burst, source.Tokens + ((now - source.Seen) * _bytesPerTick)) : source.Tokens;

    private bool TryTakeDoorReport(long now)
    {
        long next = Volatile.Read(ref _nextReportAt);
        return now >= next && Interlocked.CompareExchange(ref _nextReportAt, now + _doorReportTicks, next) == next;
    }

    private Table CreateTable()
    {
        var table = new Table(Capacity, _stripes);
        return Interlocked.CompareExchange(ref _table, table, null) ?? table;
    }

    private sealed class Table(int capacity, int stripes)
    {
        public readonly Source[] Sources = new Source[capacity];
        public readonly Lock[] Stripes = [.. Enumerable.Range(0, stripes).Select(static _ => new Lock())];
    }

    /// <summary>One source's bucket; read and written only under its stripe's lock.</summary>
    private struct Source
    {
        public ulong High;
        public ulong Low;
        public double Tokens;
        /// <summary>When the bucket was last refilled: also its age, for eviction.</summary>
        public long Seen;
        public long ReportedAt;
        // An int, so an entry is 48 bytes: 10 s of drops from one source fit in it (saturating).
        public int Unreported;
        public bool Used;
    }
}
