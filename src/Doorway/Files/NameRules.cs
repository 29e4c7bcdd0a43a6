using System.Buffers;
using System.Text.Unicode;

namespace Doorway.Files;

/// <summary>
/// The lexical rules a client's name must pass before the file system is asked anything: one
/// place, so <see cref="FileRoot.Open"/> and the listing (which shows only names a client could
/// fetch) agree. Symlinks are the kernel's business, not these rules'.
/// </summary>
internal static class NameRules
{
    /// <summary>PATH_MAX on Linux: no longer name can be opened anyway.</summary>
    public const int MaxNameBytes = 4096;

    /// <summary>
    /// Why <paramref name="name"/> (raw bytes, relative, '/' between directories, not empty) is
    /// refused, or null when it passes. Allocates nothing: the reasons are constants.
    /// </summary>
    public static string? Refusal(ReadOnlySpan<byte> name, bool showHidden)
    {
        if (name.Length > MaxNameBytes)
        {
            return "name too long";
        }

        if (name.Contains((byte)0))
        {
            return "NUL byte in name";
        }

        if (name.Contains((byte)'\\'))
        {
            return "backslash in name";
        }

        if (name[0] == (byte)'/')
        {
            return "absolute path";
        }

        char[] chars = ArrayPool<char>.Shared.Rent(name.Length);
        try
        {
            // A name need not be UTF-8: Linux names are bytes, and a listing links them byte for
            // byte (issue 9). Invalid sequences become U+FFFD for the checks below, which look at
            // ASCII only ('/', '.', ':', controls); an overlong form (C0 AE) is not '.' to the
            // kernel, which never decodes a name, so it cannot make a dot segment.
            Utf8.ToUtf16(name, chars, out _, out int length, replaceInvalidSequences: true);
            return Refusal(chars.AsSpan(0, length), showHidden);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static string? Refusal(ReadOnlySpan<char> name, bool showHidden)
    {
        foreach (char c in name)
        {
            if (char.IsControl(c))
            {
                return "control character in name";
            }
        }

        if (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':')
        {
            return "drive letter";
        }

        var relative = name[^1] == '/' ? name[..^1] : name;
        foreach (var range in relative.Split('/'))
        {
            var segment = relative[range];
            if (segment.IsEmpty)
            {
                return "empty path segment";
            }

            if (segment is "." or "..")
            {
                return "dot segment";
            }

            if (segment[0] == '.' && !showHidden)
            {
                return "hidden name (served only when hidden names are shown)";
            }
        }

        return null;
    }

    /// <summary>Whether a real path below the root (bytes after the root's own path) has a segment starting with '.'.</summary>
    public static bool HasHiddenSegment(ReadOnlySpan<byte> path)
    {
        foreach (var range in path.Split((byte)'/'))
        {
            var segment = path[range];
            if (!segment.IsEmpty && segment[0] == (byte)'.')
            {
                return true;
            }
        }

        return false;
    }
}
