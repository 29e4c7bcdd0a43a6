namespace Doorway.Dns;

/// <summary>Cuts a reply to its header and question with TC set (RFC 2181 §9), keeping the OPT record out.</summary>
internal static class DnsTruncation
{
    public static int ToQuestion(Span<byte> reply)
    {
        if (reply.Length < DnsFlags.HeaderLength)
        {
            return -1;
        }

        var reader = new DnsReader(reply, DnsFlags.HeaderLength);
        int end = DnsFlags.HeaderLength;
        if (reply[5] == 1 && reader.TrySkipName() && reader.TrySkip(4))
        {
            end = reader.Position;
        }

        reply[2] |= (byte)(DnsFlags.Truncated >> 8);
        reply[4] = 0;
        reply[5] = (byte)(end > DnsFlags.HeaderLength ? 1 : 0);
        reply[6..12].Clear();
        return end;
    }
}
