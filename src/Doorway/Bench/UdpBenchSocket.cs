using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Doorway.Transport;

namespace Doorway.Bench;

/// <summary>
/// One UDP socket of the load: one datagram in flight; a reply that does not come within the
/// loss timeout counts the datagram lost and the next one is sent. Each datagram starts with its
/// sequence number in lowercase letters (so it is still lowercase text), which tells a late reply
/// to an earlier datagram from a wrong one.
/// </summary>
internal sealed class UdpBenchSocket : IBenchConnection
{
    private const int MaxTagLength = 6;

    private readonly Socket _socket;
    private readonly int _id;
    private readonly BenchRun _run;
    private readonly TextPattern _pattern;
    private readonly byte[] _send;
    private readonly byte[] _expected;
    private readonly byte[] _receive;
    private readonly int _tagLength;
    private readonly long _tagModulus;
    private CancellationTokenSource _timeout = new();
    private volatile bool _aborted;

    private UdpBenchSocket(Socket socket, int id, BenchRun run, TextPattern pattern)
    {
        _socket = socket;
        _id = id;
        _run = run;
        _pattern = pattern;
        int size = run.Options.MessageSize;
        _send = new byte[size];
        _expected = new byte[size];
        // One byte more than expected, so a longer reply shows as longer rather than cut to size.
        _receive = new byte[size + 1];
        _tagLength = Math.Min(size, MaxTagLength);
        _tagModulus = (long)Math.Pow(26, _tagLength);
    }

    public ConnectionStats Stats { get; } = new();

    public static int LongestRun(BenchOptions options) => options.MessageSize;

    public static async Task<IBenchConnection> ConnectAsync(int id, BenchRun run, TextPattern pattern, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = await run.Options.Server.ResolveAsync(cancellationToken);
        var socket = new Socket(addresses[0].AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Connected: the kernel filters out other senders and reports ICMP "port unreachable".
            await socket.ConnectAsync(new IPEndPoint(addresses[0], run.Options.Server.Port), cancellationToken);
            return new UdpBenchSocket(socket, id, run, pattern);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task RunAsync()
    {
        int size = _run.Options.MessageSize;
        try
        {
            for (long sequence = 0; !_run.IsStopping; sequence++)
            {
                long sentAt = BenchClock.Now();
                if (_run.HasRate)
                {
                    long intended = _run.IntendedSendTime(_id, sequence);
                    await BenchRun.WaitUntilAsync(intended);
                    sentAt = Math.Min(intended, BenchClock.Now());
                }

                Prepare(sequence);
                await _socket.SendAsync(_send.AsMemory(), SocketFlags.None);
                await AwaitReplyAsync(sequence, sentAt, size);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Stats.Error(BenchSockets.Describe(e, _aborted));
        }
    }

    public void Abort()
    {
        _aborted = true;
        _socket.Dispose();
    }

    public void Dispose()
    {
        _socket.Dispose();
        _timeout.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitReplyAsync(long sequence, long sentAt, int size)
    {
        _timeout.CancelAfter(_run.Options.LossTimeout);
        while (true)
        {
            int received;
            try
            {
                received = await _socket.ReceiveAsync(_receive.AsMemory(), SocketFlags.None, _timeout.Token);
            }
            catch (OperationCanceledException)
            {
                if (_run.IsMeasuring)
                {
                    Stats.Lost++;
                }

                _timeout.Dispose();
                _timeout = new CancellationTokenSource();
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // ICMP port unreachable for an earlier datagram: nobody is listening (yet).
                Stats.Error("connection refused (nothing listens on that UDP port)");
                continue;
            }

            long now = BenchClock.Now();
            if (received >= _tagLength && !HasTag(sequence))
            {
                Stats.Late++;
                continue;
            }

            if (!_timeout.TryReset())
            {
                _timeout.Dispose();
                _timeout = new CancellationTokenSource();
            }

            bool mismatched = received != size || !_receive.AsSpan(0, size).SequenceEqual(_expected);
            Stats.Complete(_run.IsMeasuring, now - sentAt, size, mismatched);
            return;
        }
    }

    private void Prepare(long sequence)
    {
        long tag = sequence % _tagModulus;
        for (int i = _tagLength - 1; i >= 0; i--)
        {
            _send[i] = (byte)('a' + (tag % 26));
            _expected[i] = (byte)('A' + (tag % 26));
            tag /= 26;
        }

        int body = _send.Length - _tagLength;
        int offset = TextPattern.Offset(sequence, _id);
        _pattern.Lower.AsSpan(offset, body).CopyTo(_send.AsSpan(_tagLength));
        _pattern.Upper.AsSpan(offset, body).CopyTo(_expected.AsSpan(_tagLength));
    }

    // A reply whose tag names another datagram is late (its datagram was already counted lost)
    // rather than wrong. A tag that is not letters at all is a wrong reply to this datagram.
    private bool HasTag(long sequence)
    {
        long tag = 0;
        for (int i = 0; i < _tagLength; i++)
        {
            int letter = _receive[i] - 'A';
            if ((uint)letter >= 26)
            {
                return true;
            }

            tag = (tag * 26) + letter;
        }

        return tag == sequence % _tagModulus;
    }
}
