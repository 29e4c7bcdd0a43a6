namespace Doorway.Bench;

/// <summary>Which door <c>doorway bench</c> loads.</summary>
public enum BenchMode
{
    /// <summary>The TCP capitalize door: a stream of lowercase text, the upper case back.</summary>
    Tcp,

    /// <summary>The UDP capitalize door: one datagram, one upper-cased datagram back, or a loss.</summary>
    Udp,

    /// <summary>The file door over HTTP/1.1 keep-alive: GET a path, check the length.</summary>
    Files,
}
