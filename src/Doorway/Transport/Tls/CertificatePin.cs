using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Doorway.Transport;

/// <summary>
/// A certificate's SHA-256 fingerprint, as users copy it: 64 hex digits, with or without colons
/// (<c>openssl x509 -noout -fingerprint -sha256</c> writes "AB:CD:…"), optionally after "sha256:".
/// </summary>
public static class CertificatePin
{
    public static string Format(ReadOnlySpan<byte> sha256) => string.Join(':', sha256.ToArray().Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    public static bool TryParse(string text, [NotNullWhen(true)] out byte[]? sha256)
    {
        sha256 = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string hex = text.Trim();
        if (hex.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex["sha256:".Length..];
        }

        hex = hex.Replace(":", "", StringComparison.Ordinal);
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        sha256 = Convert.FromHexString(hex);
        return true;
    }
}
