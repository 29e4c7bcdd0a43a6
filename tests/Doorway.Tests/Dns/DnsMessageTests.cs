using System.Buffers.Binary;
using Doorway.Dns;

namespace Doorway.Tests.Dns;

/// <summary>The codec without sockets: hostile messages get FORMERR or nothing, never an exception or a hang; names are compressed.</summary>
public sealed class DnsMessageTests
{
    private static readonly DnsAuthority Authority = DnsTestQueries.Authority();

    private static int Answer(byte[] query, out byte[] reply)
    {
        reply = new byte[65535];
        return Authority.Answer(query, reply, overTcp: false);
    }

    [Fact]
    public void ShortMessagesAndResponsesGetNoAnswer()
    {
        Assert.Equal(-1, Answer([1, 2, 3], out _));
        byte[] response = DnsTestQueries.Make("www.example.test.", DnsType.A);
        response[2] |= 0x80;
        Assert.Equal(-1, Answer(response, out _));
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        byte[] Header(ushort qd, ushort an = 0, ushort ns = 0, ushort ar = 0) =>
            [0xAB, 0xCD, 0, 0, (byte)(qd >> 8), (byte)qd, (byte)(an >> 8), (byte)an, (byte)(ns >> 8), (byte)ns, (byte)(ar >> 8), (byte)ar];
        byte[] question = [.. DnsName.Parse("www.example.test.").Wire, 0, 1, 0, 1];
        return new TheoryData<string, byte[]>
        {
            { "pointer to itself", [.. Header(1), 0xC0, 12, 0, 1, 0, 1] },
            { "pointer forward", [.. Header(1), 0xC0, 14, 3, (byte)'w', (byte)'w', (byte)'w', 0, 0, 1, 0, 1] },
            { "two pointers in a loop", [.. Header(1), 1, (byte)'a', 0xC0, 12, 0, 1, 0, 1] },
            { "label past the end", [.. Header(1), 40, (byte)'a', (byte)'b'] },
            { "no type after the name", [.. Header(1), 0] },
            { "extended label type", [.. Header(1), 0x41, 0, 0, 1, 0, 1] },
            { "two questions", [.. Header(2), .. question, .. question] },
            { "no question", [.. Header(0)] },
            { "answer count that lies", [.. Header(1, an: 5), .. question] },
            { "additional count that lies", [.. Header(1, ar: 3), .. question, 0, 0, 41, 2, 0] },
            { "two OPT records", [.. Header(1, ar: 2), .. question, 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0] },
            { "name over 255 bytes", [.. Header(1), .. Enumerable.Range(0, 5).SelectMany(_ => (byte[])[63, .. new byte[63]]), 0, 0, 1, 0, 1] },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedQueriesGetFormerr(string what, byte[] query)
    {
        int length = Answer(query, out byte[] reply);
        Assert.True(length >= 12, what);
        Assert.Equal(0xABCD, BinaryPrimitives.ReadUInt16BigEndian(reply));
        Assert.Equal((int)DnsRcode.FormErr, DnsTestQueries.Rcode(reply));
        Assert.Equal(0x80, reply[2] & 0x80);
        Assert.Equal(0, DnsTestQueries.Count(reply, 1));
    }

    [Fact]
    public void AnOpcodeOtherThanQueryIsNotImplemented()
    {
        byte[] query = DnsTestQueries.Make("www.example.test.", DnsType.A);
        query[2] |= 2 << 3; // STATUS
        Answer(query, out byte[] reply);
        Assert.Equal((int)DnsRcode.NotImp, DnsTestQueries.Rcode(reply));
    }

    [Fact]
    public void NamesAfterTheQuestionArePointersIntoIt()
    {
        int length = Answer(DnsTestQueries.Make("files.example.test.", DnsType.A, ednsSize: 1232), out byte[] reply);
        // The answer's first owner is the question's name: 0xC00C.
        int question = 12 + DnsName.Parse("files.example.test.").Wire.Length + 4;
        Assert.Equal(0xC00C, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(question)));
        // Three records (CNAME, CNAME, A) in less than half their uncompressed size.
        Assert.Equal(3, DnsTestQueries.Count(reply, 1));
        Assert.True(length < 130, $"reply of {length} bytes");

        // Read back through the pointers: each name decompresses to the zone's names.
        var reader = new DnsReader(reply.AsSpan(0, length), question);
        Span<byte> name = stackalloc byte[255];
        string[] owners = new string[3];
        for (int i = 0; i < 3; i++)
        {
            int n = reader.ReadName(name);
            owners[i] = DnsName.Format(name[..n]);
            Assert.True(reader.TrySkip(8));
            Assert.True(reader.TryReadUInt16(out ushort rdlength));
            Assert.True(reader.TrySkip(rdlength));
        }

        Assert.Equal(["files.example.test.", "ftp.example.test.", "www.example.test."], owners);
    }

    [Theory]
    [InlineData("www.example.test.", true)]
    [InlineData("a.b.c.", true)]
    [InlineData("a\\.b.c.", true)]
    [InlineData("a..b.", false)]
    [InlineData("\\999.test.", false)]
    public void NamesParse(string text, bool valid)
    {
        Assert.Equal(valid, DnsName.TryParse(text, null, out var name, out _));
        if (valid)
        {
            Assert.Equal(text, name.ToString());
        }
    }
}
