using System.Buffers;
using System.Text.Unicode;

namespace Doorway.Files;

/// <summary>
/// The one directory the file door serves from, and the rules that keep every name inside it.
/// Both dialects ask it; a name is served only if it is a regular file (or, over HTTP, a
/// directory) whose resolved path lies under the resolved root, compared by whole components.
/// </summary>
public sealed class FileRoot
{
    /// <summary>PATH_MAX on Linux: no longer name can be opened anyway.</summary>
    private const int MaxNameChars = 4096;

    /// <summary>Opens <paramref name="directory"/> as the root; throws <see cref="DirectoryNotFoundException"/> if it is not one.</summary>
    public FileRoot(string directory, bool showHidden = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        string? real = NativePath.RealPath(full);
        if (real is null || !System.IO.Directory.Exists(real))
        {
            throw new DirectoryNotFoundException($"{directory} is not a directory");
        }

        Directory = real;
        ShowHidden = showHidden;
    }

    /// <summary>The root with its own symlinks resolved.</summary>
    public string Directory { get; }

    /// <summary>Whether names starting with '.' are listed and served (--hidden).</summary>
    public bool ShowHidden { get; }

    /// <summary>
    /// Looks a client's name up under the root. The name is raw bytes as the client sent them
    /// (UTF-8, relative, '/' between directories); HTTP passes its percent-decoded path
    /// without the leading '/'. <paramref name="allowRoot"/> lets an empty name mean the root.
    /// </summary>
    internal FileLookup Resolve(ReadOnlySpan<byte> name, bool allowRoot = false)
    {
        if (name.IsEmpty)
        {
            return allowRoot ? new FileLookup(FileLookupKind.Directory, Directory, "root") : FileLookup.Refuse("empty name");
        }

        if (name.Length > MaxNameChars)
        {
            return FileLookup.Refuse("name too long");
        }

        if (name.Contains((byte)0))
        {
            return FileLookup.Refuse("NUL byte in name");
        }

        if (name.Contains((byte)'\\'))
        {
            return FileLookup.Refuse("backslash in name");
        }

        if (name[0] == (byte)'/')
        {
            return FileLookup.Refuse("absolute path");
        }

        char[] chars = ArrayPool<char>.Shared.Rent(name.Length);
        try
        {
            // Strict decoding: overlong forms (C0 AE for '.'), surrogates and stray bytes are invalid.
            if (Utf8.ToUtf16(name, chars, out _, out int length, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                return FileLookup.Refuse("invalid or overlong UTF-8");
            }

            return Resolve(chars.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private FileLookup Resolve(ReadOnlySpan<char> name)
    {
        foreach (char c in name)
        {
            if (char.IsControl(c))
            {
                return FileLookup.Refuse("control character in name");
            }
        }

        if (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':')
        {
            return FileLookup.Refuse("drive letter");
        }

        if (HasPercentEscape(name))
        {
            // A name still holding %XX after decoding was encoded twice (%252e): refuse, whatever it spells.
            return FileLookup.Refuse("percent-encoded name");
        }

        bool trailingSlash = name[^1] == '/';
        var relative = trailingSlash ? name[..^1] : name;
        foreach (var range in relative.Split('/'))
        {
            var segment = relative[range];
            if (segment.IsEmpty)
            {
                return FileLookup.Refuse("empty path segment");
            }

            if (segment is "." or "..")
            {
                return FileLookup.Refuse("dot segment");
            }

            if (segment[0] == '.' && !ShowHidden)
            {
                return FileLookup.Refuse("hidden name (--hidden serves it)");
            }
        }

        string candidate = string.Concat(Directory, "/", name);
        string? real = NativePath.RealPath(candidate);
        if (real is null)
        {
            return FileLookup.Missing("no such file");
        }

        if (!Contains(real))
        {
            return FileLookup.Refuse("symlink leads outside the root");
        }

        if (!ShowHidden && HasHiddenSegment(real.AsSpan(Directory.Length)))
        {
            return FileLookup.Refuse("symlink leads to a hidden name");
        }

        // One stat answers: is it there, is it a directory, how long is it.
        var info = new FileInfo(real);
        if (!info.Exists)
        {
            return System.IO.Directory.Exists(real)
                ? new FileLookup(FileLookupKind.Directory, real, "directory")
                : FileLookup.Missing("not readable");
        }

        if (trailingSlash)
        {
            return FileLookup.Missing("not a directory");
        }

        // FIFOs, sockets and devices look like empty files; opening a FIFO would block for good.
        if (info.Length == 0 && !NativePath.IsSeekable(real))
        {
            return FileLookup.Missing("not a regular file");
        }

        return new FileLookup(FileLookupKind.File, real, "file");
    }

    /// <summary>True when <paramref name="realPath"/> is the root or lies under it, by whole components.</summary>
    internal bool Contains(string realPath)
    {
        if (!realPath.StartsWith(Directory, StringComparison.Ordinal))
        {
            return false;
        }

        // "/srv/data2" starts with "/srv/data" but is not under it.
        return realPath.Length == Directory.Length
            || Directory.EndsWith('/')
            || realPath[Directory.Length] == '/';
    }

    /// <summary>Whether an entry should be shown in a listing.</summary>
    internal bool IsVisible(string name) => ShowHidden || !name.StartsWith('.');

    private static bool HasHiddenSegment(ReadOnlySpan<char> path)
    {
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (!segment.IsEmpty && segment[0] == '.')
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasPercentEscape(ReadOnlySpan<char> name)
    {
        for (int i = name.IndexOf('%'); i >= 0 && i + 2 < name.Length; i = NextPercent(name, i))
        {
            if (char.IsAsciiHexDigit(name[i + 1]) && char.IsAsciiHexDigit(name[i + 2]))
            {
                return true;
            }
        }

        return false;
    }

    private static int NextPercent(ReadOnlySpan<char> name, int from)
    {
        int next = name[(from + 1)..].IndexOf('%');
        return next < 0 ? -1 : from + 1 + next;
    }
}
