using System.Buffers;
using System.IO.Pipelines;
using Doorway.Transport;

namespace Doorway.Capitalize;

/// <summary>
/// The client of the UDP capitalize door: one datagram out, one back, with a timeout and retries.
/// A reply counts only if it comes from the server and is the upper case of what was sent, so a
/// late reply to an earlier datagram is never taken for the answer to this one.
/// </summary>
public sealed class UdpCapitalizeClient : IDisposable
{
    private readonly DatagramClient _client;
    private readonly TimeSpan _timeout;
    private readonly int _retries;
    private readonly byte[] _reply = new byte[UdpDoorOptions.MaxIPv6Payload + 1];
    private byte[] _expected = [];
    private long _unexpected;
    private long _resent;

    private UdpCapitalizeClient(DatagramClient client, TimeSpan timeout, int retries)
    {
        _client = client;
        _timeout = timeout;
        _retries = retries;
    }

    /// <summary>The server's address, as resolved.</summary>
    public System.Net.IPEndPoint Server => _client.Server;

    /// <summary>The longest text one datagram can carry to this server.</summary>
    public int MaxText => _client.MaxPayload;

    /// <summary>Datagrams from other addresses or ports, skipped.</summary>
    public long Strays => _client.Strays;

    /// <summary>Datagrams from the server that were not the upper case of the text in flight (late replies), skipped.</summary>
    public long Unexpected => _unexpected;

    /// <summary>Datagrams sent again because no reply came in time.</summary>
    public long Resent => _resent;

    public static async Task<UdpCapitalizeClient> OpenAsync(HostPort server, TimeSpan timeout, int retries, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        var client = await DatagramClient.OpenAsync(server, cancellationToken);
        return new UdpCapitalizeClient(client, timeout, retries);
    }

    /// <summary>
    /// Sends <paramref name="text"/> as one datagram and returns the reply. Throws <see cref="TimeoutException"/>
    /// when no reply came after the first try and every retry.
    /// </summary>
    public async Task<byte[]> ExchangeAsync(ReadOnlyMemory<byte> text, CancellationToken cancellationToken = default)
    {
        if (text.Length > _client.MaxPayload)
        {
            throw new ArgumentException($"{text.Length} bytes do not fit in one datagram (at most {_client.MaxPayload})", nameof(text));
        }

        int needed = UpperCaser.MaxOutputLength(text.Length);
        if (_expected.Length < needed)
        {
            _expected = new byte[needed];
        }

        int expectedLength = UpperCaser.TransformWhole(text.Span, _expected);
        var expected = _expected.AsMemory(0, expectedLength);
        for (int attempt = 0; attempt <= _retries; attempt++)
        {
            if (attempt > 0)
            {
                _resent++;
            }

            await _client.SendAsync(text, cancellationToken);
            long deadline = Environment.TickCount64 + (long)_timeout.TotalMilliseconds;
            while (true)
            {
                var remaining = TimeSpan.FromMilliseconds(deadline - Environment.TickCount64);
                int received = await _client.ReceiveAsync(_reply, remaining, cancellationToken);
                if (received < 0)
                {
                    break;
                }

                if (_reply.AsSpan(0, received).SequenceEqual(expected.Span))
                {
                    return _reply.AsSpan(0, received).ToArray();
                }

                _unexpected++;
            }
        }

        string tries = _retries == 0 ? "1 try" : $"{_retries + 1} tries";
        throw new TimeoutException(
            $"no reply from {_client.Server} ({tries}, {_timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s each)");
    }

    /// <summary>
    /// Sends each line of <paramref name="input"/> (without its newline) as one datagram, one at a time,
    /// and writes each reply to <paramref name="output"/> followed by a newline, in order.
    /// Throws <see cref="InvalidDataException"/> for a line too long for one datagram.
    /// </summary>
    public async Task ExchangeLinesAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = PipeReader.Create(input);
        long lineNumber = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is SequencePosition newline)
                {
                    lineNumber++;
                    await ExchangeLineAsync(buffer.Slice(0, newline), lineNumber, output, cancellationToken);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        await ExchangeLineAsync(buffer, lineNumber + 1, output, cancellationToken);
                    }

                    break;
                }

                if (buffer.Length > _client.MaxPayload)
                {
                    throw TooLong(lineNumber + 1);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task ExchangeLineAsync(ReadOnlySequence<byte> line, long lineNumber, Stream output, CancellationToken cancellationToken)
    {
        if (line.Length > _client.MaxPayload)
        {
            throw TooLong(lineNumber);
        }

        byte[] reply = await ExchangeAsync(line.ToArray(), cancellationToken);
        await output.WriteAsync(reply, cancellationToken);
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private InvalidDataException TooLong(long lineNumber) =>
        new($"line {lineNumber} is longer than one datagram can carry ({_client.MaxPayload} bytes)");

    public void Dispose() => _client.Dispose();
}
