namespace Doorway.Dns;

/// <summary>The record types Doorway knows by name (IANA "Resource Record (RR) TYPEs"; RFC 1035 §3.2.2 and later).</summary>
public enum DnsType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    DS = 43,
    ANY = 255,
    CAA = 257,
}
