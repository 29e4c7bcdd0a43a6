using System.Text;
using Doorway.Dns;

namespace Doorway.Cli.Commands;

/// <summary>A DNS reply as dig prints it: header line, flags and counts, then each section.</summary>
internal static class DnsOutput
{
    public static string Format(DnsExchange.Result result, string command)
    {
        var m = result.Message;
        var text = new StringBuilder();
        text.Append(";; <<>> doorway dns <<>> ").AppendLine(command);
        text.Append(";; ->>HEADER<<- opcode: QUERY, status: ").Append(Rcode(m.Rcode)).Append(", id: ").Append(m.Id).AppendLine();
        text.Append(";; flags:").Append(Flags(m.Flags)).Append("; QUERY: ").Append(m.QuestionCount)
            .Append(", ANSWER: ").Append(m.Answers.Count).Append(", AUTHORITY: ").Append(m.Authority.Count)
            .Append(", ADDITIONAL: ").Append(m.Additional.Count + (m.EdnsPayloadSize is null ? 0 : 1)).AppendLine();
        if (m.EdnsPayloadSize is ushort size)
        {
            text.AppendLine().AppendLine(";; OPT PSEUDOSECTION:").Append("; EDNS: version: ").Append(m.EdnsVersion).Append(", udp: ").Append(size).AppendLine();
        }

        text.AppendLine().AppendLine(";; QUESTION SECTION:").Append(';').Append(m.QuestionName).Append("\t\tIN\t").AppendLine(DnsRecord.TypeName(m.QuestionType));
        Section(text, "ANSWER", m.Answers);
        Section(text, "AUTHORITY", m.Authority);
        Section(text, "ADDITIONAL", m.Additional);
        text.AppendLine().Append(";; Query time: ").Append((int)result.Elapsed.TotalMilliseconds).AppendLine(" msec");
        text.Append(";; SERVER: ").Append(result.Server.Address).Append('#').Append(result.Server.Port).Append('(').Append(result.Server.Address).Append(") (")
            .Append(result.OverTcp ? "TCP" : "UDP").AppendLine(")");
        text.Append(";; MSG SIZE  rcvd: ").Append(m.Length).AppendLine();
        return text.ToString();
    }

    public static void Section(StringBuilder text, string name, List<DnsRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        text.AppendLine().Append(";; ").Append(name).AppendLine(" SECTION:");
        foreach (var record in records)
        {
            text.AppendLine(record.ToString());
        }
    }

    public static string Rcode(DnsRcode rcode) => rcode switch
    {
        DnsRcode.NoError => "NOERROR",
        DnsRcode.FormErr => "FORMERR",
        DnsRcode.ServFail => "SERVFAIL",
        DnsRcode.NxDomain => "NXDOMAIN",
        DnsRcode.NotImp => "NOTIMP",
        DnsRcode.Refused => "REFUSED",
        DnsRcode.BadVers => "BADVERS",
        _ => $"RCODE{(int)rcode}",
    };

    private static string Flags(ushort flags)
    {
        var text = new StringBuilder();
        foreach (var (bit, name) in (ReadOnlySpan<(ushort, string)>)[(0x8000, "qr"), (0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"), (0x0080, "ra"), (0x0020, "ad"), (0x0010, "cd")])
        {
            if ((flags & bit) != 0)
            {
                text.Append(' ').Append(name);
            }
        }

        return text.ToString();
    }
}
