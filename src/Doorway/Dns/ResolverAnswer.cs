namespace Doorway.Dns;

/// <summary>What the resolver found for a question: the rcode, the answer records (CNAMEs first), and the SOA of a negative answer.</summary>
public sealed record ResolverAnswer(DnsRcode Rcode, IReadOnlyList<DnsRecord> Answers, DnsRecord? Soa)
{
    public static ResolverAnswer ServFail { get; } = new(DnsRcode.ServFail, [], null);
}
