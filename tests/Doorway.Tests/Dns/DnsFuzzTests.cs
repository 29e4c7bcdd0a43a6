using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Doorway.Dns;
using Doorway.Tests.Support;
using Doorway.Tests.Udp;
using Doorway.Transport;

namespace Doorway.Tests.Dns;

/// <summary>
/// A mutation fuzzer over valid queries (bit flips, random bytes, pointers, cut and grown
/// messages, lying counts), bounded in count and time: no exception, no hang, and every reply is a
/// well-formed response to the same ID that fits its buffer.
/// </summary>
public sealed class DnsFuzzTests
{
    private const int Iterations = 200_000;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(15);

    private static byte[][] Seeds() =>
    [
        DnsTestQueries.Make("www.example.test.", DnsType.A),
        DnsTestQueries.Make("files.example.test.", DnsType.A, ednsSize: 1232),
        DnsTestQueries.Make("x.sub.example.test.", DnsType.AAAA, ednsSize: 4096),
        DnsTestQueries.Make("big.example.test.", DnsType.TXT),
        DnsTestQueries.Make("example.test.", DnsType.ANY, ednsSize: 512),
        DnsTestQueries.Make("nothing.example.org.", DnsType.MX),
    ];

    [Fact]
    public void MutatedQueriesNeverBreakTheAnswerer()
    {
        var authority = DnsTestQueries.Authority();
        var seeds = Seeds();
        var random = new Random(20261201);
        byte[] reply = new byte[65535];
        byte[] small = new byte[600];
        var clock = Stopwatch.StartNew();
        int answered = 0;
        int iterations = 0;
        for (; iterations < Iterations && clock.Elapsed < TimeLimit; iterations++)
        {
            byte[] query = Mutate(seeds[random.Next(seeds.Length)], random);
            bool tcp = (iterations & 1) == 0;
            byte[] buffer = (iterations & 3) == 1 ? small : reply;
            int length = authority.Answer(query, buffer, tcp);
            if (length < 0)
            {
                continue;
            }

            answered++;
            Assert.InRange(length, 12, tcp ? 65535 : buffer.Length);
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(query), BinaryPrimitives.ReadUInt16BigEndian(buffer));
            Assert.Equal(0x80, buffer[2] & 0x80);
            AssertWellFormed(buffer.AsSpan(0, length));
        }

        Assert.True(iterations >= 10_000, $"only {iterations} iterations in {TimeLimit}");
        Assert.True(answered > iterations / 4, $"{answered} of {iterations} answered: the mutations are too destructive to reach the answerer");
    }

    [Fact]
    public async Task MutatedDatagramsLeaveTheDoorAnswering()
    {
        var handler = new DnsDatagramHandler(DnsTestQueries.Authority());
        await using var door = UdpTestDoors.Open(handler, options: UdpDoorOptions.Default with { Receivers = 2 });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Connect(new IPEndPoint(IPAddress.Loopback, door.LocalEndPoint.Port));
        var seeds = Seeds();
        var random = new Random(14);
        const int Count = 3_000;
        for (int i = 0; i < Count; i++)
        {
            client.Send(Mutate(seeds[random.Next(seeds.Length)], random));
            if (i % 50 == 49)
            {
                // Paced, so the socket's receive buffer never overflows and every datagram reaches the door.
                await Deadline.UntilAsync(() => door.Received >= i + 1, "the door to receive the mutated datagrams");
            }
        }

        await Deadline.UntilAsync(() => door.Received >= Count, "the door to receive every datagram");
        Assert.Equal(0, door.HandlerFailures);
        byte[] answer = await UdpTestDoors.ExchangeAsync(new IPEndPoint(IPAddress.Loopback, door.LocalEndPoint.Port), DnsTestQueries.Make("www.example.test.", DnsType.A));
        Assert.Equal(0, DnsTestQueries.Rcode(answer));
        Assert.Equal(1, DnsTestQueries.Count(answer, 1));
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    // A compression pointer anywhere, to anywhere.
                    bytes[at] = (byte)(0xC0 | random.Next(4));
                    if (at + 1 < bytes.Count)
                    {
                        bytes[at + 1] = (byte)random.Next(256);
                    }

                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes.AddRange(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256)));
                    break;
                case 5:
                    // A count that lies.
                    int field = 4 + (2 * random.Next(4));
                    if (field + 1 < bytes.Count)
                    {
                        bytes[field] = (byte)random.Next(3);
                        bytes[field + 1] = (byte)random.Next(256);
                    }

                    break;
                case 6:
                    // A label length that runs off or short.
                    bytes[Math.Min(12, bytes.Count - 1)] = (byte)random.Next(64);
                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
            }

            if (bytes.Count == 0)
            {
                bytes.Add(0);
            }
        }

        // Keep most mutants queries (QR clear), or the answerer would drop them all unread.
        if (bytes.Count > 2 && random.Next(10) > 0)
        {
            bytes[2] &= 0x7F;
        }

        return [.. bytes];
    }

    /// <summary>Walks the reply's sections with the reader: every name decompresses, every record's length is inside the message.</summary>
    private static void AssertWellFormed(ReadOnlySpan<byte> reply)
    {
        var reader = new DnsReader(reply, 12);
        Span<byte> name = stackalloc byte[255];
        int qd = DnsTestQueries.Count(reply, 0);
        for (int i = 0; i < qd; i++)
        {
            Assert.True(reader.ReadName(name) > 0 && reader.TrySkip(4), "question");
        }

        int records = DnsTestQueries.Count(reply, 1) + DnsTestQueries.Count(reply, 2) + DnsTestQueries.Count(reply, 3);
        for (int i = 0; i < records; i++)
        {
            Assert.True(reader.ReadName(name) > 0 && reader.TrySkip(8) && reader.TryReadUInt16(out ushort length) && reader.TrySkip(length), $"record {i}");
        }

        Assert.Equal(0, reader.Remaining);
    }
}
