namespace Doorway.Dns;

/// <summary>One name in a zone and its record sets; none for an empty non-terminal (a name that exists only because names below it do).</summary>
public sealed class ZoneNode(DnsName name, DnsRecordSet[] sets)
{
    public DnsName Name { get; } = name;

    public DnsRecordSet[] Sets { get; } = sets;

    public DnsRecordSet? Find(DnsType type)
    {
        foreach (var set in Sets)
        {
            if (set.Type == type)
            {
                return set;
            }
        }

        return null;
    }
}
