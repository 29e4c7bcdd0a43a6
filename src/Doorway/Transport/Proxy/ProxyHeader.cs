using System.Net;

namespace Doorway.Transport;

/// <summary>What a PROXY protocol header said (HAProxy's proxy-protocol.txt).</summary>
/// <param name="Length">Bytes of the header, v2 TLVs included; what follows them is the client's.</param>
/// <param name="Source">The client as the balancer saw it; null when the header keeps the real endpoints
/// (v2 LOCAL, a health check; v1 UNKNOWN; a family other than IPv4 or IPv6).</param>
/// <param name="Destination">The address the client connected to, when <paramref name="Source"/> is set.</param>
internal readonly record struct ProxyHeader(int Version, int Length, IPEndPoint? Source, IPEndPoint? Destination)
{
    /// <summary>Whether the header names the client (not a LOCAL command or an UNKNOWN or unsupported family).</summary>
    public bool NamesClient => Source is not null;
}

/// <summary>How far a PROXY header is read.</summary>
internal enum ProxyParseStatus
{
    /// <summary>More bytes are needed; how many at least is in the parser's <c>needed</c>.</summary>
    Incomplete,
    Complete,
    Invalid,
}
