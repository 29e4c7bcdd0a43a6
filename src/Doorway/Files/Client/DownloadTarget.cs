namespace Doorway.Files.Client;

/// <summary>
/// Where a download goes: the file, its <c>.part</c> while incomplete, and the validator kept
/// beside the part for resuming. Chosen by the user (the name's base name in the current
/// directory, or -o), never by the server, so nothing it says can write elsewhere.
/// </summary>
public sealed record DownloadTarget
{
    private DownloadTarget(string path)
    {
        Path = path;
    }

    /// <summary>The complete file.</summary>
    public string Path { get; }

    /// <summary>The download in progress; kept when interrupted, for resuming.</summary>
    public string PartPath => Path + ".part";

    /// <summary>The ETag of the version the part holds, for If-Range.</summary>
    public string ValidatorPath => Path + ".part.etag";

    /// <summary>
    /// The target for NAME, in <paramref name="directory"/> unless <paramref name="output"/> names the
    /// file (or another directory).
    /// Throws <see cref="DownloadException"/> when NAME has no usable base name.
    /// </summary>
    public static DownloadTarget Choose(string name, string? output, string directory)
    {
        ArgumentNullException.ThrowIfNull(name);
        string baseName = BaseName(name);
        if (!string.IsNullOrEmpty(output))
        {
            string full = System.IO.Path.GetFullPath(output, directory);
            if (!System.IO.Directory.Exists(full))
            {
                return new DownloadTarget(full);
            }

            // -o DIR: the base name, in that directory.
            directory = full;
        }

        if (baseName.Length == 0 || baseName is "." or ".." || baseName.Contains('\0', StringComparison.Ordinal))
        {
            throw new DownloadException($"'{name}' has no file name to save to; use -o FILE");
        }

        string chosen = System.IO.Path.GetFullPath(directory);
        string path = System.IO.Path.Join(chosen, baseName);
        // Belt and braces: the base name has no separators, so this always holds.
        if (!string.Equals(System.IO.Path.GetDirectoryName(path), chosen.TrimEnd('/'), StringComparison.Ordinal))
        {
            throw new DownloadException($"'{name}' would be saved outside {chosen}; use -o FILE");
        }

        return new DownloadTarget(path);
    }

    /// <summary>The last component of NAME, whichever separator it uses.</summary>
    public static string BaseName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string trimmed = name.TrimEnd('/', '\\');
        int cut = trimmed.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? trimmed : trimmed[(cut + 1)..];
    }
}
