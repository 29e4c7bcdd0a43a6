namespace Doorway.Http;

/// <summary>The four forms of a request target (RFC 9112 §3.2).</summary>
internal enum HttpTargetForm
{
    /// <summary>"/path?query" (§3.2.1).</summary>
    Origin,

    /// <summary>"http://host/path" (§3.2.2): the target's authority is the host, whatever the Host field says.</summary>
    Absolute,

    /// <summary>"host:port", for CONNECT only (§3.2.3).</summary>
    Authority,

    /// <summary>"*", for a server-wide OPTIONS only (§3.2.4).</summary>
    Asterisk,
}
