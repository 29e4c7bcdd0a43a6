namespace Doorway.Dns;

/// <summary>The records of one owner and type (an RRset, RFC 2181 §5), with one TTL: the first record's.</summary>
public sealed class DnsRecordSet(DnsName owner, DnsType type, uint ttl, DnsRdata[] data)
{
    public DnsName Owner { get; } = owner;

    public DnsType Type { get; } = type;

    public uint Ttl { get; } = ttl;

    public DnsRdata[] Data { get; } = data;
}
