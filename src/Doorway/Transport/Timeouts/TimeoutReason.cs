namespace Doorway.Transport;

/// <summary>Why a connection's time ran out.</summary>
public enum TimeoutReason
{
    None,

    /// <summary>No bytes moved either way for the idle timeout.</summary>
    Idle,

    /// <summary>A request (head, name, first bytes) did not arrive whole in time; the protocol answers it.</summary>
    RequestHead,

    /// <summary>The peer read a send more slowly than the minimum data rate allows.</summary>
    MinDataRate,

    /// <summary>The door stopped and the drain timeout passed.</summary>
    Drain,

    /// <summary>A TLS handshake did not finish in time (a client that opens TLS and stalls).</summary>
    TlsHandshake,
}
