using System.Text;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>Names that try to leave the root or reach what it hides; every one must be refused, in both dialects.</summary>
internal static class TraversalCorpus
{
    /// <summary>For the seed dialect and FileRoot: the raw bytes a client sends.</summary>
    public static IEnumerable<byte[]> SeedNames()
    {
        string[] texts =
        [
            "..", "../secret.txt", "../../secret.txt", "sub/../../secret.txt", "sub/../../../etc/passwd",
            "/etc/passwd", "//etc/passwd", "/../secret.txt",
            "..\\secret.txt", "sub\\..\\..\\secret.txt", "\\secret.txt",
            "C:/secret.txt", "C:\\secret.txt", "c:secret.txt",
            "%2e%2e/secret.txt", "%2E%2E%2Fsecret.txt", "..%2fsecret.txt", "..%5csecret.txt",
            "%252e%252e/secret.txt", "..%252fsecret.txt",
            "./a.txt", "sub/./../a.txt", "sub//inner.txt",
            ".hidden", "link-out", "link-out-relative", "link-sibling/secret.txt", "link-sibling",
            "sub/", "sub",
        ];
        foreach (var text in texts)
        {
            yield return Encoding.UTF8.GetBytes(text);
        }

        yield return "a.txt\0.png"u8.ToArray();
        yield return "\0"u8.ToArray();
        // Overlong UTF-8 for '.' and '/': C0 AE, E0 80 AE, C0 AF.
        yield return [0xC0, 0xAE, 0xC0, 0xAE, (byte)'/', .. "secret.txt"u8];
        yield return [0xE0, 0x80, 0xAE, 0xE0, 0x80, 0xAE, (byte)'/', .. "secret.txt"u8];
        yield return [.. ".."u8, 0xC0, 0xAF, .. "secret.txt"u8];
        yield return [0xFF, 0xFE];
    }

    /// <summary>For HTTP: request targets as a client could put them on the request line.</summary>
    public static readonly string[] HttpTargets =
    [
        "/../secret.txt", "/../../secret.txt", "/sub/../../secret.txt", "/..", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
        "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt", "/..%2Fsecret.txt", "/..%5csecret.txt", "/%5c..%5csecret.txt",
        "/%252e%252e/secret.txt", "/..%252fsecret.txt", "/%25252e%25252e/secret.txt",
        "/..\\secret.txt", "/sub\\..\\..\\secret.txt", "//etc/passwd", "//secret.txt", "/C:/secret.txt", "/C:%5csecret.txt",
        "/a.txt%00.png", "/%00", "/%C0%AE%C0%AE/secret.txt", "/%E0%80%AE%E0%80%AE/secret.txt", "/..%C0%AFsecret.txt",
        "/./a.txt", "/sub/./../a.txt", "/sub//inner.txt",
        "/.hidden", "/%2ehidden", "/link-out", "/link-out-relative", "/link-sibling/secret.txt", "/link-sibling/",
        "http://evil/../secret.txt", "*",
    ];
}
