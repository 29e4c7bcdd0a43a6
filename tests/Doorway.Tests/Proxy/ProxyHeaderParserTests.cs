using System.Net;
using Doorway.Transport;

namespace Doorway.Tests.Proxy;

/// <summary>The PROXY header parser on its own: every form HAProxy's proxy-protocol.txt allows, and every way to break one.</summary>
public sealed class ProxyHeaderParserTests
{
    private static ProxyHeader Complete(byte[] bytes)
    {
        var status = ProxyHeaderParser.Parse(bytes, out var header, out _, out string? error);
        Assert.True(status == ProxyParseStatus.Complete, $"{status}: {error}");
        return header;
    }

    private static string Invalid(byte[] bytes)
    {
        var status = ProxyHeaderParser.Parse(bytes, out _, out _, out string? error);
        Assert.Equal(ProxyParseStatus.Invalid, status);
        Assert.False(string.IsNullOrEmpty(error));
        return error!;
    }

    [Fact]
    public void A_v1_tcp4_line_names_the_client_and_ends_at_its_crlf()
    {
        byte[] bytes = ProxyHeaders.V1("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");
        var header = Complete(bytes);
        Assert.Equal(1, header.Version);
        Assert.Equal("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n".Length, header.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.0.1"), 56324), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.0.11"), 443), header.Destination);
    }

    [Fact]
    public void A_v1_tcp6_line_names_an_ipv6_client()
    {
        var header = Complete(ProxyHeaders.V1("PROXY TCP6 2001:db8::1 2001:DB8:0:0:0:0:0:2 65535 0\r\n"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 65535), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::2"), 0), header.Destination);
    }

    [Fact]
    public void V1_unknown_keeps_the_real_endpoints_and_its_longest_form_is_107_bytes()
    {
        Assert.False(Complete(ProxyHeaders.V1("PROXY UNKNOWN\r\n")).NamesClient);
        // §2.1's worst case: "PROXY UNKNOWN" with two full IPv6 addresses and two 5-digit ports.
        string full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        string longest = $"PROXY UNKNOWN {full} {full} 65535 65535\r\n";
        Assert.Equal(107, longest.Length);
        var header = Complete(ProxyHeaders.V1(longest));
        Assert.False(header.NamesClient);
        Assert.Equal(107, header.Length);
        // One byte more and no CRLF within the first 107: invalid, not a wait for more.
        Assert.Contains("107", Invalid(ProxyHeaders.V1($"PROXY UNKNOWN {full} {full} 65535 655355\r\n")));
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 80\r\n")]            // three fields
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 80 443 1\r\n")]      // five fields
    [InlineData("PROXY TCP4  1.2.3.4 5.6.7.8 80 443\r\n")]       // two spaces
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 80 443 \r\n")]       // trailing space
    [InlineData("PROXY  TCP4 1.2.3.4 5.6.7.8 80 443\r\n")]       // two spaces after PROXY
    [InlineData("PROXY TCP4 01.2.3.4 5.6.7.8 80 443\r\n")]       // leading zero in an octet
    [InlineData("PROXY TCP4 1.2.3.256 5.6.7.8 80 443\r\n")]      // octet over 255
    [InlineData("PROXY TCP4 1.2.3 5.6.7.8 80 443\r\n")]          // three octets
    [InlineData("PROXY TCP4 1.2.3.4.5 5.6.7.8 80 443\r\n")]      // five octets
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 080 443\r\n")]       // leading zero in a port
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 80 65536\r\n")]      // port over 65535
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 443\r\n")]        // negative port
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 +1 443\r\n")]        // signed port
    [InlineData("PROXY TCP4 ::1 ::1 80 443\r\n")]                // IPv6 under TCP4
    [InlineData("PROXY TCP6 1.2.3.4 5.6.7.8 80 443\r\n")]        // IPv4 under TCP6
    [InlineData("PROXY TCP6 fe80::1%eth0 ::1 80 443\r\n")]       // a zone
    [InlineData("PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 80 443\r\n")]  // 144 bits
    [InlineData("PROXY TCP5 1.2.3.4 5.6.7.8 80 443\r\n")]        // unknown protocol
    [InlineData("PROXY UDP4 1.2.3.4 5.6.7.8 80 443\r\n")]        // v1 is TCP only
    [InlineData("PROXY UNKNOWNX\r\n")]                           // UNKNOWN run into something
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 80 443\n")]          // LF without CR
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 80 443\rX")]         // CR without LF
    [InlineData("PROXY TCP4 1.2.3.4\r 5.6.7.8 80 443\r\n")]      // CR inside the line
    [InlineData("PROXY\r\n")]                                    // no space, no protocol
    [InlineData("proxy TCP4 1.2.3.4 5.6.7.8 80 443\r\n")]        // lower case
    [InlineData("PROXZ TCP4 1.2.3.4 5.6.7.8 80 443\r\n")]
    [InlineData("GET / HTTP/1.1\r\n")]                           // no header at all
    [InlineData("\x16\x03\x01\x00")]                             // a TLS ClientHello's start
    public void Every_malformed_v1_line_is_invalid(string line) => Invalid(ProxyHeaders.V1(line));

    [Fact]
    public void A_v2_tcp4_header_names_the_client_and_skips_its_tlvs()
    {
        byte[] header = ProxyHeaders.Tcp4("203.0.113.7", 1234, "10.0.0.1", 80,
            ProxyHeaders.Tlv(0x01, "http/1.1"u8.ToArray()), ProxyHeaders.Tlv(0x04, new byte[5]), ProxyHeaders.Tlv(0xE0, new byte[300]));
        var parsed = Complete([.. header, .. "GET"u8.ToArray()]);
        Assert.Equal(2, parsed.Version);
        Assert.Equal(header.Length, parsed.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 1234), parsed.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 80), parsed.Destination);
    }

    [Fact]
    public void A_v2_tcp6_header_names_the_client_and_a_v4_mapped_one_reads_as_ipv4()
    {
        var six = Complete(ProxyHeaders.V2(0x21, 0x21, ProxyHeaders.Addresses(
            new IPEndPoint(IPAddress.Parse("2001:db8::7"), 9), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443))));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 9), six.Source);
        var mapped = Complete(ProxyHeaders.V2(0x21, 0x21, ProxyHeaders.Addresses(
            new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.5"), 9), new IPEndPoint(IPAddress.Parse("::1"), 443))));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 9), mapped.Source);
    }

    [Fact]
    public void V2_local_unspec_and_unix_keep_the_real_endpoints_and_skip_their_blocks()
    {
        // LOCAL (a health check) with addresses present anyway: §2.2 says use the real endpoints and skip the block.
        var local = Complete(ProxyHeaders.V2(0x20, 0x11, ProxyHeaders.Addresses(new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2))));
        Assert.False(local.NamesClient);
        Assert.Equal(28, local.Length);
        Assert.False(Complete(ProxyHeaders.V2(0x20, 0x00, [])).NamesClient);
        Assert.False(Complete(ProxyHeaders.V2(0x21, 0x00, [])).NamesClient);
        Assert.False(Complete(ProxyHeaders.V2(0x21, 0x31, new byte[216])).NamesClient);
    }

    [Fact]
    public void A_v2_crc32c_is_checked()
    {
        Assert.True(Complete(ProxyHeaders.Tcp4WithChecksum(right: true)).NamesClient);
        Assert.Contains("CRC32C", Invalid(ProxyHeaders.Tcp4WithChecksum(right: false)));
    }

    public static TheoryData<string, byte[]> MalformedV2 => new()
    {
        { "version 1", ProxyHeaders.V2(0x11, 0x11, new byte[12]) },
        { "version 3", ProxyHeaders.V2(0x31, 0x11, new byte[12]) },
        { "command 2", ProxyHeaders.V2(0x22, 0x11, new byte[12]) },
        { "family 4", ProxyHeaders.V2(0x21, 0x41, new byte[12]) },
        { "transport 3", ProxyHeaders.V2(0x21, 0x13, new byte[12]) },
        { "TCP4 block too short", ProxyHeaders.V2(0x21, 0x11, new byte[8]) },
        { "TCP6 block too short", ProxyHeaders.V2(0x21, 0x21, new byte[12]) },
        { "UNIX block too short", ProxyHeaders.V2(0x21, 0x31, new byte[36]) },
        { "TLV overruns the header", ProxyHeaders.V2(0x21, 0x11, [.. new byte[12], 0x01, 0x00, 0x09, 0x41]) },
        { "TLV cut short", ProxyHeaders.V2(0x21, 0x11, [.. new byte[12], 0x01, 0x00]) },
        { "CRC32C of the wrong size", ProxyHeaders.V2(0x21, 0x11, [.. new byte[12], .. ProxyHeaders.Tlv(0x03, new byte[2])]) },
        { "signature broken", [.. ProxyHeaders.Signature[..11], 0x0B, 0x21, 0x11, 0x00, 0x00] },
    };

    [Theory]
    [MemberData(nameof(MalformedV2))]
    public void Every_malformed_v2_header_is_invalid(string why, byte[] bytes)
    {
        Assert.False(string.IsNullOrEmpty(why));
        Invalid(bytes);
    }

    public static TheoryData<byte[]> ValidHeaders => new()
    {
        ProxyHeaders.V1("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"),
        ProxyHeaders.V1("PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n"),
        ProxyHeaders.V1("PROXY UNKNOWN\r\n"),
        ProxyHeaders.Tcp4("203.0.113.7", 1234, "10.0.0.1", 80, ProxyHeaders.Tlv(0x05, new byte[128])),
        ProxyHeaders.V2(0x20, 0x00, []),
        ProxyHeaders.Tcp4WithChecksum(right: true),
    };

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void Every_prefix_of_a_valid_header_asks_for_more_and_never_for_more_than_the_header(byte[] header)
    {
        for (int length = 0; length < header.Length; length++)
        {
            var status = ProxyHeaderParser.Parse(header.AsSpan(0, length), out _, out int needed, out string? error);
            Assert.True(status == ProxyParseStatus.Incomplete, $"prefix of {length}: {status} {error}");
            Assert.InRange(needed, length + 1, header.Length);
        }

        Assert.Equal(header.Length, Complete(header).Length);
    }

    [Fact]
    public void A_v2_length_is_known_from_16_bytes_so_an_oversized_header_is_seen_before_it_is_read()
    {
        byte[] start = ProxyHeaders.V2(0x21, 0x11, [], length: 60000);
        Assert.Equal(ProxyParseStatus.Incomplete, ProxyHeaderParser.Parse(start, out _, out int needed, out _));
        Assert.Equal(60016, needed);
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4", true)]
    [InlineData("PROXY TCP6 ::1", true)]
    [InlineData("PROXY UNKNOWN\r\n", true)]
    [InlineData("PROXY TC", null)]
    [InlineData("PRO", null)]
    [InlineData("PROXY server, please", false)]
    [InlineData("proxy tcp4 ", false)]
    [InlineData("GET / HTTP/1.1", false)]
    public void The_first_bytes_of_an_untrusted_peer_tell_a_header_from_a_clients_own_text(string first, bool? header) =>
        Assert.Equal(header, ProxyHeaderParser.StartsHeader(ProxyHeaders.V1(first)));

    [Fact]
    public void The_v2_signature_tells_a_header_from_its_first_byte_on()
    {
        Assert.Null(ProxyHeaderParser.StartsHeader(ProxyHeaders.Signature.AsSpan(0, 11)));
        Assert.True(ProxyHeaderParser.StartsHeader(ProxyHeaders.Signature));
        Assert.False(ProxyHeaderParser.StartsHeader("\r\n\r\nX"u8));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("192.168.1.0/24, ::1/128", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    public void Trusted_networks_are_cidrs_or_single_addresses(string networks, string address, bool trusted)
    {
        var options = new ProxyProtocolOptions { TrustedNetworks = ClientNetworks.Parse(networks) };
        Assert.Equal(trusted, options.Trusts(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("ten")]
    [InlineData("10.0.0.1/8")]
    [InlineData("")]
    public void A_bad_network_says_which_part_is_bad(string networks) =>
        Assert.Throws<FormatException>(() => ClientNetworks.Parse(networks));
}
