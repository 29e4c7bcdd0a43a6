namespace Doorway.Tests.Dns;

/// <summary>The zone the authoritative door's tests serve: one record of every type, chains, a delegation, an empty non-terminal, and an RRset too big for 512 bytes.</summary>
internal static class DnsTestZone
{
    public const string Text = """
$ORIGIN example.test.
$TTL 3600
@        IN SOA ns hostmaster ( 1 7200 900 1209600 300 ) ; minimum 300
         IN NS  ns
         IN MX  10 mail
         IN TXT "v=spf1 mx -all"
         IN CAA 0 issue "ca.example.test"
ns       IN A     127.0.0.4
www      IN A     192.0.2.80
         IN AAAA  2001:db8::80
mail     IN A     192.0.2.25
ftp      IN CNAME www
files    IN CNAME ftp
away     IN CNAME www.elsewhere.example.
dangling IN CNAME nothing
_http._tcp IN SRV 0 5 80 www
80.2.0.192 IN PTR www.example.test.
a.b.deep IN A     192.0.2.9
motd 300 IN TXT   "Hello" "with \"quotes\"; and a semicolon"
sub      IN NS    ns.sub
ns.sub   IN A     192.0.2.53
big TXT "00-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "01-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "02-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "04-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "05-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "06-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "07-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "08-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "09-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "10-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "11-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "12-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "13-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "14-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "15-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "16-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "17-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "18-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
big TXT "19-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
""";

    /// <summary>Writes the zone to a file in <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory)
    {
        string path = Path.Combine(directory, "example.test.zone");
        File.WriteAllText(path, Text);
        return path;
    }
}
