using System.CommandLine;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>serve</c>'s TLS flags: one certificate for every TCP door (capitalize, files, reply). With
/// TLS on, each door still serves plaintext on the same port unless <c>--tls-only</c>.
/// </summary>
internal sealed class TlsFlags
{
    private readonly Option<string?> _certificate = new("--tls-cert")
    {
        Description = "PEM certificate file (the server's certificate first, then any intermediates): turns TLS on for every TCP door. Needs --tls-key.",
        HelpName = "FILE",
    };

    private readonly Option<string?> _key = new("--tls-key")
    {
        Description = "PEM private key file of --tls-cert (PKCS#8, RSA or EC).",
        HelpName = "FILE",
    };

    private readonly Option<bool> _selfSigned = new("--tls-self-signed")
    {
        Description = "TLS with a development certificate for localhost, 127.0.0.1 and ::1, made once and kept in the user's data directory; its SHA-256 is printed (for a client's --pin).",
    };

    private readonly Option<bool> _only = new("--tls-only")
    {
        Description = "Refuse clients that do not start a TLS handshake (else each door serves TLS and plaintext on its port). A plain HTTP request gets 400.",
    };

    private readonly Option<SecondsValue> _handshakeTimeout = CommonOptions.Seconds("--tls-handshake-timeout", TlsServerOptions.DefaultHandshakeTimeout.TotalSeconds,
        "Seconds from a client's first TLS byte to a finished handshake; slower is closed.");

    public IEnumerable<Option> Options => [_certificate, _key, _selfSigned, _only, _handshakeTimeout];

    /// <summary>The doors' TLS, or null when it is off. Throws <see cref="DoorSetupException"/> for flags that don't fit together or files that can't be used.</summary>
    public TlsServerOptions? Build(ParseResult parse, TextWriter announce)
    {
        string? certificatePath = parse.GetValue(_certificate);
        string? keyPath = parse.GetValue(_key);
        bool selfSigned = parse.GetValue(_selfSigned);
        bool only = parse.GetValue(_only);
        if (selfSigned && (certificatePath is not null || keyPath is not null))
        {
            throw new DoorSetupException("--tls-self-signed makes its own certificate; give it or --tls-cert and --tls-key, not both.");
        }

        if ((certificatePath is null) != (keyPath is null))
        {
            throw new DoorSetupException(certificatePath is null ? "--tls-key needs --tls-cert." : "--tls-cert needs --tls-key (the certificate's private key).");
        }

        if (!selfSigned && certificatePath is null)
        {
            return only ? throw new DoorSetupException("--tls-only needs a certificate: --tls-cert and --tls-key, or --tls-self-signed.") : null;
        }

        ServerCertificate certificate;
        string where;
        try
        {
            if (selfSigned)
            {
                string directory = DevelopmentCertificate.DefaultDirectory;
                certificate = DevelopmentCertificate.LoadOrCreate(directory, out bool made);
                where = Path.Combine(directory, DevelopmentCertificate.CertificateFile);
                announce.WriteLine(made ? $"tls made a development certificate for localhost, 127.0.0.1 and ::1: {where}" : $"tls development certificate {where}");
            }
            else
            {
                certificate = ServerCertificate.LoadPem(certificatePath!, keyPath!);
                where = certificatePath!;
            }
        }
        catch (CertificateFileException e)
        {
            throw new DoorSetupException($"TLS: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DoorSetupException($"TLS: cannot keep the development certificate: {e.Message}");
        }

        // The line a client's --pin takes (and curl's --pinnedpubkey has its own form; see docs/operations.md).
        announce.WriteLine($"tls sha256 {certificate.Fingerprint}");
        return new TlsServerOptions(certificate)
        {
            TlsOnly = only,
            HandshakeTimeout = parse.GetValue(_handshakeTimeout),
        };
    }
}
