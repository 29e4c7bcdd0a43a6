using System.Text;
using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>Names that try to leave the root or reach what it hides; none may open a file outside it, in both dialects.</summary>
internal static class TraversalCorpus
{
    private const string DotSegment = "dot segment";
    private const string Absolute = "absolute path";
    private const string Backslash = "backslash in name";
    private const string DriveLetter = "drive letter";
    // Names are bytes (issue 9): an escape or a byte that is not UTF-8 is part of a literal name,
    // which the kernel never decodes: such a name is a file that is not there, or a hidden one.
    private const string NoSuchFile = "no such file";
    private const string Hidden = "hidden name (served only when hidden names are shown)";
    private const string Outside = "symlink leads outside the root";
    private const string Nul = "NUL byte in name";

    /// <summary>
    /// Every seed-dialect name with the verdict <see cref="FileRoot.Open"/> gives it under a
    /// <see cref="TempTree"/> root (with hidden names off), the same through openat2 and through
    /// the checked fallback. They are the verdicts the path-based lookup gave before it was
    /// removed. No name opens a file; "sub" and "sub/" open the directory inside the root, which
    /// the raw dialect refuses and HTTP lists.
    /// </summary>
    public static IEnumerable<(byte[] Name, FileOpenKind Kind, string Reason)> SeedCases()
    {
        (string Text, FileOpenKind Kind, string Reason)[] texts =
        [
            ("..", FileOpenKind.Refused, DotSegment),
            ("../secret.txt", FileOpenKind.Refused, DotSegment),
            ("../../secret.txt", FileOpenKind.Refused, DotSegment),
            ("sub/../../secret.txt", FileOpenKind.Refused, DotSegment),
            ("sub/../../../etc/passwd", FileOpenKind.Refused, DotSegment),
            ("/etc/passwd", FileOpenKind.Refused, Absolute),
            ("//etc/passwd", FileOpenKind.Refused, Absolute),
            ("/../secret.txt", FileOpenKind.Refused, Absolute),
            ("..\\secret.txt", FileOpenKind.Refused, Backslash),
            ("sub\\..\\..\\secret.txt", FileOpenKind.Refused, Backslash),
            ("\\secret.txt", FileOpenKind.Refused, Backslash),
            ("C:/secret.txt", FileOpenKind.Refused, DriveLetter),
            ("C:\\secret.txt", FileOpenKind.Refused, Backslash),
            ("c:secret.txt", FileOpenKind.Refused, DriveLetter),
            ("%2e%2e/secret.txt", FileOpenKind.Missing, NoSuchFile),
            ("%2E%2E%2Fsecret.txt", FileOpenKind.Missing, NoSuchFile),
            ("..%2fsecret.txt", FileOpenKind.Refused, Hidden),
            ("..%5csecret.txt", FileOpenKind.Refused, Hidden),
            ("%252e%252e/secret.txt", FileOpenKind.Missing, NoSuchFile),
            ("..%252fsecret.txt", FileOpenKind.Refused, Hidden),
            ("./a.txt", FileOpenKind.Refused, DotSegment),
            ("sub/./../a.txt", FileOpenKind.Refused, DotSegment),
            ("sub//inner.txt", FileOpenKind.Refused, "empty path segment"),
            (".hidden", FileOpenKind.Refused, "hidden name (served only when hidden names are shown)"),
            ("link-out", FileOpenKind.Refused, Outside),
            ("link-out-relative", FileOpenKind.Refused, Outside),
            ("link-sibling/secret.txt", FileOpenKind.Refused, Outside),
            ("link-sibling", FileOpenKind.Refused, Outside),
            ("sub/", FileOpenKind.Directory, "directory"),
            ("sub", FileOpenKind.Directory, "directory"),
        ];
        foreach (var (text, kind, reason) in texts)
        {
            yield return (Encoding.UTF8.GetBytes(text), kind, reason);
        }

        yield return ("a.txt\0.png"u8.ToArray(), FileOpenKind.Refused, Nul);
        yield return ("\0"u8.ToArray(), FileOpenKind.Refused, Nul);
        // Overlong UTF-8 for '.' and '/': C0 AE, E0 80 AE, C0 AF.
        yield return ([0xC0, 0xAE, 0xC0, 0xAE, (byte)'/', .. "secret.txt"u8], FileOpenKind.Missing, NoSuchFile);
        yield return ([0xE0, 0x80, 0xAE, 0xE0, 0x80, 0xAE, (byte)'/', .. "secret.txt"u8], FileOpenKind.Missing, NoSuchFile);
        yield return ([.. ".."u8, 0xC0, 0xAF, .. "secret.txt"u8], FileOpenKind.Refused, Hidden);
        yield return ([0xFF, 0xFE], FileOpenKind.Missing, NoSuchFile);
    }

    /// <summary>For the seed dialect: the raw bytes a client sends.</summary>
    public static IEnumerable<byte[]> SeedNames() => SeedCases().Select(c => c.Name);

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
