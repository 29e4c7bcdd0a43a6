namespace Doorway.Dns;

/// <summary>Response codes (RFC 1035 §4.1.1; BADVERS from RFC 6891 §6.1.3, carried in the OPT record's extended bits).</summary>
public enum DnsRcode
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
    BadVers = 16,
}
