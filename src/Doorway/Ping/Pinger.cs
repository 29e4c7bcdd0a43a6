using System.Buffers.Text;
using System.Diagnostics;
using Doorway.Transport;

namespace Doorway.Ping;

/// <summary>
/// The book's UDP pinger, done properly: numbered datagrams <c>ping SEQ TIMESTAMP</c> padded with
/// lowercase letters, each reply matched to its datagram by number and checked to be its upper
/// case (the capitalize door's answer), so late and duplicated replies are reported, not miscounted.
/// </summary>
public sealed class Pinger
{
    private const byte Pending = 0;
    private const byte Answered = 1;
    private const byte Lost = 2;

    private readonly DatagramClient _client;
    private readonly PingOptions _options;
    private readonly List<long> _sentAt = [];
    private readonly List<long> _stamps = [];
    private readonly List<byte> _states = [];
    private readonly List<double> _roundTrips = [];
    private readonly byte[] _reply = new byte[UdpDoorOptions.MaxIPv6Payload + 1];
    private readonly byte[] _expected;
    private int _late;
    private int _duplicates;
    private int _mismatched;

    public Pinger(DatagramClient client, PingOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Size, client.MaxPayload);
        _client = client;
        _options = options;
        _expected = new byte[Math.Max(options.Size, MaxHeader)];
    }

    // "ping " + 10 digits + " " + 20 digits.
    private const int MaxHeader = 36;

    /// <summary>
    /// The longest header <c>ping SEQ UNIX-MS</c> of a run of <paramref name="count"/> datagrams sent
    /// now: the least --size that every datagram can be padded to exactly.
    /// </summary>
    public static int HeaderLength(int count) =>
        "ping ".Length + count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1
        + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    /// <summary>
    /// Sends <see cref="PingOptions.Count"/> datagrams, reports each outcome to <paramref name="report"/>,
    /// and returns the summary. Cancelling ends the ping early with the summary so far.
    /// </summary>
    public async Task<PingSummary> RunAsync(Action<PingEvent> report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var clock = Stopwatch.StartNew();
        byte[] datagram = new byte[Math.Max(_options.Size, MaxHeader)];
        try
        {
            for (int sequence = 1; sequence <= _options.Count; sequence++)
            {
                long stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                int length = Write(datagram, sequence, stamp, upper: false);
                long sentAt = Stopwatch.GetTimestamp();
                _sentAt.Add(sentAt);
                _stamps.Add(stamp);
                _states.Add(Pending);
                await _client.SendAsync(datagram.AsMemory(0, length), cancellationToken);

                await ReceiveUntilAsync(sentAt, _options.Timeout, sequence, report, cancellationToken);
                if (_states[sequence - 1] == Pending)
                {
                    _states[sequence - 1] = Lost;
                    report(new PingEvent(PingEventKind.TimedOut, sequence, 0, _options.Timeout));
                }

                if (sequence < _options.Count)
                {
                    await ReceiveUntilAsync(sentAt, _options.Interval, 0, report, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: the summary of what was sent so far, like ping(8).
        }

        return Summarize(clock.Elapsed);
    }

    /// <summary>Handles replies until <paramref name="span"/> after <paramref name="start"/>, or until <paramref name="awaited"/> is answered.</summary>
    private async Task ReceiveUntilAsync(long start, TimeSpan span, int awaited, Action<PingEvent> report, CancellationToken cancellationToken)
    {
        while (awaited == 0 || _states[awaited - 1] == Pending)
        {
            var remaining = span - Stopwatch.GetElapsedTime(start);
            int received = await _client.ReceiveAsync(_reply, remaining, cancellationToken);
            if (received < 0)
            {
                return;
            }

            report(Classify(received, Stopwatch.GetTimestamp()));
        }
    }

    private PingEvent Classify(int received, long now)
    {
        var reply = _reply.AsSpan(0, received);
        int sequence = ParseSequence(reply);
        if (sequence < 1 || sequence > _states.Count
            || !reply.SequenceEqual(_expected.AsSpan(0, Write(_expected, sequence, _stamps[sequence - 1], upper: true))))
        {
            _mismatched++;
            return new PingEvent(PingEventKind.Mismatch, Math.Max(sequence, 0), received, TimeSpan.Zero);
        }

        var roundTrip = Stopwatch.GetElapsedTime(_sentAt[sequence - 1], now);
        switch (_states[sequence - 1])
        {
            case Pending:
                _states[sequence - 1] = Answered;
                _roundTrips.Add(roundTrip.TotalMilliseconds);
                return new PingEvent(PingEventKind.Reply, sequence, received, roundTrip);
            case Answered:
                _duplicates++;
                return new PingEvent(PingEventKind.Duplicate, sequence, received, roundTrip);
            default:
                _late++;
                return new PingEvent(PingEventKind.Late, sequence, received, roundTrip);
        }
    }

    /// <summary>Writes datagram <paramref name="sequence"/> (or its expected reply) and returns its length.</summary>
    private int Write(Span<byte> destination, int sequence, long stamp, bool upper)
    {
        int length = 0;
        (upper ? "PING "u8 : "ping "u8).CopyTo(destination);
        length += 5;
        Utf8Formatter.TryFormat(sequence, destination[length..], out int written);
        length += written;
        destination[length++] = (byte)' ';
        Utf8Formatter.TryFormat(stamp, destination[length..], out written);
        length += written;
        // Padding cycles through the alphabet, so the upper-casing of every byte is checked.
        for (int i = 0; length < _options.Size; i++)
        {
            destination[length++] = (byte)((upper ? 'A' : 'a') + (i % 26));
        }

        return length;
    }

    private static int ParseSequence(ReadOnlySpan<byte> reply)
    {
        if (!reply.StartsWith("PING "u8))
        {
            return -1;
        }

        var rest = reply[5..];
        int space = rest.IndexOf((byte)' ');
        return space > 0 && Utf8Parser.TryParse(rest[..space], out int sequence, out int consumed) && consumed == space ? sequence : -1;
    }

    private PingSummary Summarize(TimeSpan elapsed)
    {
        int received = _roundTrips.Count;
        double min = 0, max = 0, average = 0, deviation = 0;
        if (received > 0)
        {
            min = _roundTrips.Min();
            max = _roundTrips.Max();
            average = _roundTrips.Average();
            double meanSquare = _roundTrips.Sum(static t => t * t) / received;
            deviation = Math.Sqrt(Math.Max(0, meanSquare - (average * average)));
        }

        return new PingSummary
        {
            Sent = _states.Count,
            Received = received,
            Late = _late,
            Duplicates = _duplicates,
            Mismatched = _mismatched,
            Strays = _client.Strays,
            Elapsed = elapsed,
            Min = TimeSpan.FromMilliseconds(min),
            Average = TimeSpan.FromMilliseconds(average),
            Max = TimeSpan.FromMilliseconds(max),
            Deviation = TimeSpan.FromMilliseconds(deviation),
        };
    }
}
