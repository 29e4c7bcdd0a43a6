using System.CommandLine;
using System.Security.Authentication;
using Doorway.Transport;

namespace Doorway.Cli;

/// <summary>
/// A client's TLS flags, the same on every command: <c>--tls</c> (where the door's address does not
/// say it, as https:// does), <c>--cacert FILE</c> and <c>--pin SHA256</c>. Either of the last two
/// turns TLS on by itself.
/// </summary>
internal sealed class ClientTlsFlags
{
    public ClientTlsFlags(bool withSwitch)
    {
        Switch = withSwitch ? new Option<bool>("--tls") { Description = "Speak TLS to the door (the server's certificate is checked against the system's roots unless --cacert or --pin)." } : null;
    }

    public Option<bool>? Switch { get; }

    public Option<string?> CaCert { get; } = new("--cacert")
    {
        Description = "Trust the server's certificate if signed by a certificate of this PEM file (or is one); implies TLS.",
        HelpName = "FILE",
    };

    public Option<byte[]?> Pin { get; } = new("--pin")
    {
        Description = "Trust exactly the certificate with this SHA-256 (as serve --tls-self-signed prints it, or openssl x509 -fingerprint -sha256); implies TLS.",
        HelpName = "SHA256",
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (CertificatePin.TryParse(token, out byte[]? pin))
            {
                return pin;
            }

            result.AddError($"--pin takes a SHA-256 fingerprint (64 hex digits, colons allowed), not '{token}'.");
            return null;
        },
    };

    public IEnumerable<Option> Options => Switch is null ? [CaCert, Pin] : [Switch, CaCert, Pin];

    /// <summary>The client's TLS, or null for plaintext. Throws <see cref="CertificateFileException"/> for a --cacert that can't be read.</summary>
    public ClientTls? Resolve(ParseResult parse, bool on = false)
    {
        string? caCert = parse.GetValue(CaCert);
        byte[]? pin = PinOf(parse, this);
        on |= (Switch is not null && parse.GetValue(Switch)) || caCert is not null || pin is not null;
        if (!on)
        {
            return null;
        }

        return new ClientTls { Roots = caCert is null ? null : ClientTls.ReadRoots(caCert), Pin = pin };
    }

    public static bool BothGiven(ParseResult parse, ClientTlsFlags flags) =>
        parse.GetValue(flags.CaCert) is not null && PinOf(parse, flags) is not null;

    // An array option not given reads as an empty array, not null.
    private static byte[]? PinOf(ParseResult parse, ClientTlsFlags flags) => parse.GetValue(flags.Pin) is { Length: > 0 } pin ? pin : null;

    /// <summary>The one line for a handshake that failed: an untrusted certificate has its own exit code.</summary>
    public static int Fail(HostPort server, AuthenticationException e) => e is UntrustedCertificateException
        ? CommandLine.Untrusted($"{server}: {e.Message}")
        : CommandLine.Fail($"{server}: TLS handshake failed: {(e.InnerException is null or IOException ? e : e.InnerException).Message.TrimEnd('.')}");
}
