using System.Globalization;
using System.Net;
using System.Text;

namespace Doorway.Files;

/// <summary>
/// The HTML page for a directory: names (links), sizes, dates. Every name is HTML-escaped in text
/// and percent-encoded in links, so a file called <c>&lt;script&gt;</c> stays a name.
/// </summary>
internal static class DirectoryListing
{
    /// <summary>Entries shown per page; a directory with more says how many were left out.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>NAME_MAX (255) plus the NUL: no entry's name is longer.</summary>
    private const int NameMax = 256;

    private const string Style =
        """
        :root { color-scheme: light dark; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #ffffff; --hover: #f6f8fa; --link: #0969da; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --bg: #0d1117; --hover: #161b22; --link: #4493f8; } }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
        main { max-width: 960px; margin: 2.5rem auto; padding: 0 1.25rem; }
        h1 { font-size: 1.35rem; font-weight: 600; margin: 0 0 1.25rem; word-break: break-all; }
        h1 span { color: var(--muted); font-weight: 400; }
        table { width: 100%; border-collapse: collapse; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
        th, td { padding: .55rem .9rem; text-align: left; border-bottom: 1px solid var(--line); }
        th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; background: var(--hover); }
        tr:last-child td { border-bottom: 0; }
        tbody tr:hover { background: var(--hover); }
        td.size, th.size { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.date { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
        a { color: var(--link); text-decoration: none; overflow-wrap: anywhere; }
        a:hover { text-decoration: underline; }
        .icon { display: inline-block; width: 1.1em; height: 1.1em; margin-right: .5em; vertical-align: -.18em; color: var(--muted); }
        .icon.dir { color: #54aeff; }
        footer { margin-top: 1rem; color: var(--muted); font-size: .85rem; }
        @media (max-width: 600px) {
          main { margin: 1rem auto; padding: 0 .5rem; }
          th, td { padding: .5rem .45rem; }
          td.date { white-space: normal; font-size: .8rem; width: 6.5em; }
          td.date span { white-space: nowrap; }
          th:last-child { font-size: 0; } th:last-child::after { content: "Modified"; font-size: .7rem; }
        }
        """;

    // Drawn inline (no emoji font or request needed): a folder and a page.
    private const string FolderIcon =
        "<svg class=\"icon dir\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><path fill=\"currentColor\" d=\"M1.5 3A1.5 1.5 0 0 1 3 1.5h3.4l1.6 2H13A1.5 1.5 0 0 1 14.5 5v7.5A1.5 1.5 0 0 1 13 14H3a1.5 1.5 0 0 1-1.5-1.5z\"/></svg>";

    private const string FileIcon =
        "<svg class=\"icon\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><path fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.2\" d=\"M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3\"/></svg>";

    private const string ParentIcon =
        "<svg class=\"icon\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><path fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.4\" d=\"M6 4 2.5 7.5 6 11 M3 7.5h7a3.5 3.5 0 0 1 3.5 3.5v2\"/></svg>";

    /// <summary>
    /// The page of an opened directory, read from its descriptor (<see cref="DirectoryReader"/>).
    /// Only what a client could fetch is listed, judged as <see cref="FileRoot.Open"/> would judge
    /// <paramref name="requestPath"/> + name: no FIFOs, sockets or devices; a symlink only if its
    /// target, resolved beneath the root, is a visible regular file or directory; no name the
    /// name rules refuse (those are counted: a name with a control character cannot be asked for).
    /// A name that is not UTF-8 is listed, linked by its bytes (<see cref="ListingEntry.Of"/>). At
    /// most <paramref name="maxEntries"/> rows are kept; the rest are counted. An entry that vanishes while the listing is read is left out.
    /// </summary>
    /// <param name="requestPath">The path the directory was opened by, with its leading '/' (the page's title and the base of its links).</param>
    public static ListingPage Render(FileRoot root, OpenedFile directory, string requestPath, int maxEntries = MaxEntries)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(requestPath);
        if (!directory.IsDirectory)
        {
            throw new ArgumentException("not a directory", nameof(directory));
        }

        // The name a client would send for an entry: the directory's path, then the entry's name.
        string relative = requestPath.TrimStart('/');
        if (relative.Length > 0 && !relative.EndsWith('/'))
        {
            relative += "/";
        }

        int prefixLength = Encoding.UTF8.GetByteCount(relative);
        byte[] candidate = new byte[prefixLength + NameMax];
        Encoding.UTF8.GetBytes(relative, candidate);

        var entries = new List<ListingEntry>();
        int more = 0, unservable = 0;
        using (var reader = new DirectoryReader(directory.Handle))
        {
            while (reader.TryNext(out var name, out byte type))
            {
                if ((name[0] == (byte)'.' && !root.ShowHidden) || name.Length > NameMax - 1
                    || type is DirectoryReader.Fifo or DirectoryReader.Socket or DirectoryReader.CharacterDevice or DirectoryReader.BlockDevice)
                {
                    continue;
                }

                name.CopyTo(candidate.AsSpan(prefixLength));
                var path = candidate.AsSpan(0, prefixLength + name.Length);
                if (NameRules.Refusal(path, root.ShowHidden) is not null)
                {
                    unservable++;
                    continue;
                }

                if (entries.Count >= maxEntries)
                {
                    // Counted, not kept: memory stays bounded whatever the directory holds.
                    more++;
                    continue;
                }

                if (Describe(root, directory, name, type, path) is { } entry)
                {
                    entries.Add(entry);
                }
            }
        }

        int count = entries.Count;
        return new ListingPage(Write(entries, requestPath, more, unservable), count, more, unservable);
    }

    /// <summary>What serving the entry would find, or null if it would find nothing (vanished, outside, hidden, not a file or directory).</summary>
    private static ListingEntry? Describe(FileRoot root, OpenedFile directory, ReadOnlySpan<byte> name, byte type, ReadOnlySpan<byte> path)
    {
        if (type != DirectoryReader.SymbolicLink)
        {
            // statx of the entry in the open directory, not following a link: one call, no open.
            Span<byte> nameZ = stackalloc byte[NameMax];
            name.CopyTo(nameZ);
            nameZ[name.Length] = 0;
            if (!NativeFile.StatusAt(directory.Handle, nameZ[..(name.Length + 1)], NativeFile.SymlinkNoFollow, out var status, out _))
            {
                return null;
            }

            if (status.IsRegularFile || status.IsDirectory)
            {
                return ListingEntry.Of(name, status.IsDirectory, status.IsDirectory ? 0 : status.Length, status.ModifiedUtc);
            }

            if (!status.IsSymbolicLink)
            {
                return null;
            }
        }

        // A symlink: resolved from the root's descriptor beneath the root, as a request for it would be.
        var found = root.Locate(path);
        using var target = found.File;
        return target is null
            ? null
            : ListingEntry.Of(name, target.IsDirectory, target.IsDirectory ? 0 : target.Length, target.ModifiedUtc);
    }

    private static byte[] Write(List<ListingEntry> entries, string requestPath, int notShown, int unservable)
    {
        entries.Sort((a, b) => a.IsDirectory != b.IsDirectory
            ? (a.IsDirectory ? -1 : 1)
            : string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase));

        string title = WebUtility.HtmlEncode(requestPath);
        var html = new StringBuilder(4096 + (entries.Count * 200));
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Index of {title}</title>
            <style>
            {Style}
            </style>
            </head>
            <body>
            <main>
            <h1><span>Index of</span> {title}</h1>
            <table>
            <thead><tr><th>Name</th><th class="size">Size</th><th>Modified (UTC)</th></tr></thead>
            <tbody>

            """);
        if (requestPath != "/")
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{ParentIcon}<a href=\"../\">Parent directory</a></td><td class=\"size\"></td><td class=\"date\"></td></tr>\n");
        }

        foreach (var entry in entries)
        {
            var (name, isDirectory, size, modified) = entry;
            string href = entry.Href + (isDirectory ? "/" : string.Empty);
            string text = WebUtility.HtmlEncode(name) + (isDirectory ? "/" : string.Empty);
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{(isDirectory ? FolderIcon : FileIcon)}<a href=\"{WebUtility.HtmlEncode(href)}\">{text}</a></td>" +
                $"<td class=\"size\" title=\"{size} bytes\">{(isDirectory ? "—" : HumanSize(size))}</td>" +
                $"<td class=\"date\"><span>{modified.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}</span> <span>{modified.ToString("HH:mm", CultureInfo.InvariantCulture)}</span></td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n<footer>");
        html.Append(CultureInfo.InvariantCulture, $"{entries.Count} {(entries.Count == 1 ? "entry" : "entries")}");
        if (notShown > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"; {notShown} more not shown");
        }

        if (unservable > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"; {unservable} not shown: {(unservable == 1 ? "its name cannot" : "their names cannot")} be asked for");
        }

        html.Append(" · served by doorway</footer>\n</main>\n</body>\n</html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    public static string HumanSize(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
