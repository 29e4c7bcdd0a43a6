using System.Text;

namespace Doorway.Files;

/// <summary>
/// The path-based lookup the doors use until they move to <see cref="Open"/>: it answers with a
/// resolved path that the caller opens again later, which leaves a window between check and
/// open. Kept, with its callers, until they are moved; then this file goes.
/// </summary>
public sealed partial class FileRoot
{
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

        if (NameRules.Refusal(name, ShowHidden) is { } reason)
        {
            return FileLookup.Refuse(reason);
        }

        // NameRules let only strict UTF-8 through, so the string is the name exactly.
        return Resolve(Encoding.UTF8.GetString(name));
    }

    private FileLookup Resolve(string name)
    {
        bool trailingSlash = name[^1] == '/';
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
}
