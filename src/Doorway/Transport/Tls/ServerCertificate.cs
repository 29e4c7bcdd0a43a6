using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Doorway.Transport;

/// <summary>A door's certificate (with its private key and any intermediates to send), and its fingerprint to show.</summary>
public sealed class ServerCertificate
{
    private ServerCertificate(X509Certificate2 leaf, X509Certificate2Collection intermediates)
    {
        Leaf = leaf;
        Context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    public X509Certificate2 Leaf { get; }

    internal SslStreamCertificateContext Context { get; }

    /// <summary>SHA-256 of the certificate (DER), as <c>openssl x509 -fingerprint -sha256</c> shows it and <c>--pin</c> takes it.</summary>
    public string Fingerprint => CertificatePin.Format(Leaf.GetCertHash(HashAlgorithmName.SHA256));

    /// <summary>
    /// Reads a PEM certificate file (the server's certificate first, then any intermediates) and a
    /// PEM private key file (PKCS#8, RSA or EC). Throws <see cref="CertificateFileException"/> with a
    /// sentence for the user when either can't be used.
    /// </summary>
    public static ServerCertificate LoadPem(string certificatePath, string keyPath)
    {
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateFileException($"cannot read {e.Message.TrimEnd('.')}", e);
        }
        catch (CryptographicException e)
        {
            throw new CertificateFileException($"{certificatePath} and {keyPath} are not a PEM certificate and its private key: {e.Message.TrimEnd('.')}", e);
        }
        catch (ArgumentException e)
        {
            throw new CertificateFileException($"{certificatePath} and {keyPath} are not a PEM certificate and its private key: {e.Message.TrimEnd('.')}", e);
        }

        if (!leaf.HasPrivateKey)
        {
            throw new CertificateFileException($"{keyPath} holds no private key for {certificatePath}");
        }

        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all.Skip(1))
        {
            intermediates.Add(certificate);
        }

        return new ServerCertificate(leaf, intermediates);
    }

    /// <summary>A certificate made in this process (the development certificate).</summary>
    internal static ServerCertificate From(X509Certificate2 leaf) => new(leaf, []);
}

/// <summary>A certificate or key file that can't serve TLS; the message is a sentence for the user.</summary>
public sealed class CertificateFileException(string message, Exception? inner = null) : Exception(message, inner);
