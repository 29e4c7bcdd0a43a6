namespace Doorway.Dns;

/// <summary>The header's second 16 bits (RFC 1035 §4.1.1; AD and CD from RFC 4035 §3.2).</summary>
internal static class DnsFlags
{
    public const ushort Response = 0x8000;
    public const ushort OpcodeMask = 0x7800;
    public const ushort Authoritative = 0x0400;
    public const ushort Truncated = 0x0200;
    public const ushort RecursionDesired = 0x0100;
    public const ushort RecursionAvailable = 0x0080;
    public const ushort AuthenticData = 0x0020;
    public const ushort CheckingDisabled = 0x0010;
    public const ushort RcodeMask = 0x000F;

    /// <summary>The header is 12 bytes: ID, flags, and the four section counts.</summary>
    public const int HeaderLength = 12;

    /// <summary>Class IN (RFC 1035 §3.2.4).</summary>
    public const ushort ClassIn = 1;

    /// <summary>The largest UDP message without EDNS (RFC 1035 §2.3.4).</summary>
    public const int ClassicUdpSize = 512;

    /// <summary>EDNS(0)'s DO bit in the OPT record's TTL (RFC 3225).</summary>
    public const uint DnssecOk = 0x8000;
}
