using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Doorway.Transport;

/// <summary>
/// <c>serve --tls-self-signed</c>: a certificate for this machine's own names (localhost,
/// 127.0.0.1, ::1), made once and kept in the user's data directory so its fingerprint stays the
/// same from one run to the next (a client pins it once). Made again when missing, unreadable, or
/// within a day of expiring.
/// </summary>
public static class DevelopmentCertificate
{
    public const string CertificateFile = "localhost.crt";
    public const string KeyFile = "localhost.key";

    /// <summary>How long a made certificate is valid (browsers cap public ones near this, too).</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>Where it is kept: <c>$XDG_DATA_HOME/doorway/tls</c> (or <c>~/.local/share/doorway/tls</c>).</summary>
    public static string DefaultDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "doorway", "tls");

    /// <summary>The kept certificate, or a new one saved there first. <paramref name="made"/> says which.</summary>
    public static ServerCertificate LoadOrCreate(string directory, out bool made)
    {
        string certificatePath = Path.Combine(directory, CertificateFile);
        string keyPath = Path.Combine(directory, KeyFile);
        if (TryLoad(certificatePath, keyPath) is { } kept)
        {
            made = false;
            return kept;
        }

        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);

        // Written beside, then renamed into place: two serve processes starting at once each see a whole pair.
        string suffix = $".{Environment.ProcessId}.tmp";
        var privateOnly = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // The private key is the user's alone (as ssh keeps its own).
            privateOnly.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(keyPath + suffix, System.Text.Encoding.ASCII, privateOnly))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(certificatePath + suffix, certificate.ExportCertificatePem());
        File.Move(keyPath + suffix, keyPath, overwrite: true);
        File.Move(certificatePath + suffix, certificatePath, overwrite: true);
        made = true;
        return ServerCertificate.LoadPem(certificatePath, keyPath);
    }

    private static ServerCertificate? TryLoad(string certificatePath, string keyPath)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return null;
        }

        try
        {
            var certificate = ServerCertificate.LoadPem(certificatePath, keyPath);
            return certificate.Leaf.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddDays(1) ? certificate : null;
        }
        catch (CertificateFileException)
        {
            return null;
        }
    }
}
