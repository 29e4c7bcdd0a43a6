using System.Net;

namespace Doorway.Dns;

/// <summary>
/// The root servers' names and addresses (RFC 1034 §5.3.2's SBELT, as BIND's named.root): a file
/// in zone format with NS records at the root and A/AAAA records for their targets.
/// </summary>
public sealed class RootHints
{
    private RootHints(IReadOnlyList<DnsName> servers, IReadOnlyList<(DnsName Server, IPAddress Address)> addresses)
    {
        Servers = servers;
        Addresses = addresses;
    }

    public IReadOnlyList<DnsName> Servers { get; }

    public IReadOnlyList<(DnsName Server, IPAddress Address)> Addresses { get; }

    public static RootHints Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ZoneFileException(path, 0, $"cannot read the file: {e.Message}");
        }

        return Parse(text, path);
    }

    public static RootHints Parse(string text, string file)
    {
        var records = ZoneFileParser.ParseRecords(text, file, DnsName.Root, out var lines);
        var servers = new List<DnsName>();
        var addresses = new List<(DnsName, IPAddress)>();
        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i];
            switch (record.Type)
            {
                case DnsType.NS when record.Owner.IsRoot:
                    servers.Add(record.Data.Names[0]);
                    break;
                case DnsType.A or DnsType.AAAA:
                    addresses.Add((record.Owner, new IPAddress(record.Data.Prefix)));
                    break;
                default:
                    throw new ZoneFileException(file, lines[i], $"root hints hold NS records for '.' and A/AAAA records for their servers, not {record.Type} at {record.Owner}");
            }
        }

        addresses.RemoveAll(a => !servers.Contains(a.Item1));
        if (addresses.Count == 0)
        {
            throw new ZoneFileException(file, lines.Count > 0 ? lines[^1] : 1, "no root server with an address");
        }

        return new RootHints(servers, addresses);
    }
}
