using System.Net.Security;
using System.Security.Authentication;

namespace Doorway.Transport;

/// <summary>How a door speaks TLS: its certificate, the handshake's time limit, and whether plaintext is still served.</summary>
public sealed record TlsServerOptions
{
    /// <summary>Kestrel's default handshake timeout: a client that opens TLS and stalls is closed after it.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    public TlsServerOptions(ServerCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Certificate = certificate;
    }

    public ServerCertificate Certificate { get; }

    /// <summary>Time from a connection's first TLS byte to a finished handshake.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = DefaultHandshakeTimeout;

    /// <summary>Refuse a client whose first byte is not a TLS handshake record (else it is served in plaintext on the same port).</summary>
    public bool TlsOnly { get; init; }

    /// <summary>ALPN protocols the door offers (RFC 7301); the file door offers http/1.1.</summary>
    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; init; } = [];

    /// <summary>
    /// For a door that answers a client who never speaks (the reply door at its request timeout):
    /// a client silent this long is served in plaintext. Null: wait for the first byte (the idle timeout bounds it).
    /// </summary>
    public TimeSpan? SilentIsPlaintext { get; init; }

    /// <summary>
    /// Answers a plaintext client of a TLS-only door before it is closed (the file door: an HTTP 400
    /// saying to use https://), bounded by the handshake timeout. Null: closed without a word (after a lingering close).
    /// </summary>
    public ConnectionDelegate? RefusePlaintext { get; init; }

    /// <summary>TLS 1.2 and 1.3 only: 1.0 and 1.1 are deprecated (RFC 8996).</summary>
    internal const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>One options object for every handshake of the door (SslStream only reads it).</summary>
    internal SslServerAuthenticationOptions ToSslOptions() => new()
    {
        ServerCertificateContext = Certificate.Context,
        EnabledSslProtocols = Protocols,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        ApplicationProtocols = ApplicationProtocols.Count == 0 ? null : [.. ApplicationProtocols],
        AllowRenegotiation = false,
    };
}
