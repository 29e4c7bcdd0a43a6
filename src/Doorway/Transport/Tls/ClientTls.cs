using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Doorway.Transport;

/// <summary>
/// How a Doorway client trusts a TLS server: the system's roots (the default), the certificates
/// of a PEM file (<c>--cacert</c>, as curl's), or one certificate by its SHA-256 (<c>--pin</c>,
/// for a self-signed development server). With a pin, only the pin is checked: the certificate
/// is that exact one, whatever its chain or names. Otherwise the chain and the server's name are.
/// </summary>
public sealed record ClientTls
{
    public static ClientTls SystemTrust { get; } = new();

    /// <summary>PEM certificates trusted as roots instead of the system's.</summary>
    public X509Certificate2Collection? Roots { get; init; }

    /// <summary>The SHA-256 of the one certificate trusted.</summary>
    public byte[]? Pin { get; init; }

    /// <summary>Reads a <c>--cacert</c> file. Throws <see cref="CertificateFileException"/> when it holds no PEM certificate.</summary>
    public static X509Certificate2Collection ReadRoots(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new CertificateFileException($"cannot read {path}: {e.Message.TrimEnd('.')}", e);
        }

        return roots.Count == 0 ? throw new CertificateFileException($"{path} holds no PEM certificate") : roots;
    }

    /// <summary>
    /// The client's handshake over a connected socket, TLS 1.2 or 1.3. Throws
    /// <see cref="UntrustedCertificateException"/> (one sentence, with the certificate's fingerprint)
    /// when the server's certificate is not trusted, <see cref="AuthenticationException"/> for
    /// other handshake failures (a server that closes during it, too), <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<SslStream> AuthenticateAsync(Socket socket, HostPort server, TimeSpan timeout, IReadOnlyList<SslApplicationProtocol>? protocols = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        string? refusal = null;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = server.Host,
            EnabledSslProtocols = TlsServerOptions.Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ApplicationProtocols = protocols is null || protocols.Count == 0 ? null : [.. protocols],
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                refusal = Judge(certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())), errors);
                return refusal is null;
            },
        };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, deadline.Token);
            return ssl;
        }
        catch (AuthenticationException e) when (refusal is not null)
        {
            await ssl.DisposeAsync();
            throw new UntrustedCertificateException(refusal, e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync();
            throw new TimeoutException($"timed out: no TLS handshake with {server} within {timeout.TotalSeconds:0.###} s");
        }
        catch (IOException e)
        {
            // A door without TLS takes the ClientHello for a request it can't serve and closes.
            await ssl.DisposeAsync();
            throw new AuthenticationException("the server closed the connection during the handshake (does it speak TLS?)", e);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    /// <summary>Null when the certificate is trusted; else why not, in words for the user.</summary>
    private string? Judge(X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return "the server sent no certificate";
        }

        string fingerprint = CertificatePin.Format(certificate.GetCertHash(HashAlgorithmName.SHA256));
        string about = $"{certificate.Subject}, SHA-256 {fingerprint}";
        if (Pin is not null)
        {
            return CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), Pin)
                ? null
                : $"the server's certificate ({about}) is not the pinned one ({CertificatePin.Format(Pin)})";
        }

        string? chainProblem = null;
        if (Roots is not null)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(Roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(certificate))
            {
                chainProblem = Describe(chain);
            }

            // The name is checked by SslStream whatever the roots.
            errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
        }
        else if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            chainProblem = certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? "self-signed" : "not signed by a trusted authority";
        }

        if (chainProblem is null && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            chainProblem = "issued for another name";
        }

        if (chainProblem is null && errors == SslPolicyErrors.None)
        {
            return null;
        }

        return $"the server's certificate is not trusted: {chainProblem ?? errors.ToString()} ({about}); trust it with --cacert FILE or --pin {fingerprint}";
    }

    private static string Describe(X509Chain chain)
    {
        var status = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).ToArray();
        if (status.Contains(X509ChainStatusFlags.UntrustedRoot) || status.Contains(X509ChainStatusFlags.PartialChain))
        {
            return "not signed by a certificate of --cacert";
        }

        if (status.Contains(X509ChainStatusFlags.NotTimeValid))
        {
            return "expired or not yet valid";
        }

        return string.Join(", ", status);
    }
}

/// <summary>The server's certificate failed the client's trust; the message is one sentence for the user.</summary>
public sealed class UntrustedCertificateException(string message, Exception? inner = null) : AuthenticationException(message, inner);
