using System.Net.Sockets;
using System.Text;
using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>Listings of opened directories: only what would be served, bounded, cached per directory version.</summary>
public sealed partial class ListingCacheTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static OpenedFile OpenDirectory(FileRoot root, string name)
    {
        var result = root.Open(Encoding.UTF8.GetBytes(name), allowRoot: true);
        Assert.Equal(FileOpenKind.Directory, result.Kind);
        return result.File!;
    }

    private static (ListingPage Page, string Html) List(FileRoot root, string name, ListingCacheOptions? options = null)
    {
        using var directory = OpenDirectory(root, name);
        var page = new ListingCache(root, options).GetPage(directory, "/" + name);
        return (page, Encoding.UTF8.GetString(page.Content.Span));
    }

    private static bool Lists(string html, string name) => html.Contains($">{System.Net.WebUtility.HtmlEncode(name)}</a>", StringComparison.Ordinal);

    [Fact]
    public void The_page_of_the_root_has_a_row_per_servable_entry_with_its_targets_size_and_date()
    {
        // Fixed, distinct dates, so each row's date says whose it is (a symlink shows its target's).
        var dates = new Dictionary<string, DateTime>
        {
            ["sub"] = new(2021, 1, 2, 3, 4, 0, DateTimeKind.Utc),
            ["a.txt"] = new(2022, 5, 6, 7, 8, 0, DateTimeKind.Utc),
            ["empty"] = new(2023, 9, 10, 11, 12, 0, DateTimeKind.Utc),
            ["one"] = new(2019, 12, 31, 23, 59, 0, DateTimeKind.Utc),
            ["中文.txt"] = new(2020, 2, 29, 12, 0, 0, DateTimeKind.Utc),
        };
        foreach (var (name, date) in dates)
        {
            if (name == "sub")
            {
                Directory.SetLastWriteTimeUtc(_tree.PathOf(name), date);
            }
            else
            {
                File.SetLastWriteTimeUtc(_tree.PathOf(name), date);
            }
        }

        string Day(string name) => dates[name].ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        using var root = new FileRoot(_tree.Root);
        var (page, html) = List(root, "");

        // Directories first, then files, each by name ignoring case; hidden names and links out of the root are not rows.
        (bool Folder, string Href, string Text, long Bytes, string Size, string Date)[] expected =
        [
            (true, "link-dir-in/", "link-dir-in/", 0, "—", Day("sub")),
            (true, "sub/", "sub/", 0, "—", Day("sub")),
            (false, "a.txt", "a.txt", 6, "6 B", Day("a.txt")),
            (false, "empty", "empty", 0, "0 B", Day("empty")),
            (false, "link-in", "link-in", 6, "6 B", Day("a.txt")),
            (false, "one", "one", 1, "1 B", Day("one")),
            (false, "%E4%B8%AD%E6%96%87.txt", "中文.txt", 16, "16 B", Day("中文.txt")),
        ];
        var rows = RowPattern().Matches(html).Select(m => (
            m.Groups["icon"].Value == "icon dir",
            m.Groups["href"].Value,
            m.Groups["text"].Value,
            long.Parse(m.Groups["bytes"].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups["size"].Value,
            m.Groups["day"].Value + " " + m.Groups["time"].Value)).ToArray();
        Assert.Equal(expected, rows);
        Assert.Equal(7, page.Entries);
        Assert.Equal(0, page.NotShown);
        Assert.Equal(0, page.Unservable);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<title>Index of /</title>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Parent directory", html, StringComparison.Ordinal);
        Assert.Contains("<footer>7 entries · served by doorway</footer>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_below_the_root_links_to_its_parent()
    {
        using var root = new FileRoot(_tree.Root);
        var (page, html) = List(root, "sub/");
        Assert.Contains("<title>Index of /sub/</title>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"../\">Parent directory</a>", html, StringComparison.Ordinal);
        Assert.True(Lists(html, "inner.txt"));
        Assert.Equal(1, page.Entries);
        Assert.Contains("<footer>1 entry · served by doorway</footer>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Fifos_sockets_and_symlinks_out_of_the_root_are_not_listed()
    {
        TestFileSystem.MakeFifo(_tree.PathOf("pipe"));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(_tree.PathOf("sock")));
        File.CreateSymbolicLink(_tree.PathOf("to-pipe"), "pipe");
        File.CreateSymbolicLink(_tree.PathOf("dangling"), "nothing-there");
        File.CreateSymbolicLink(_tree.PathOf("abs-in"), _tree.PathOf("a.txt"));
        using var root = new FileRoot(_tree.Root);
        var (page, html) = List(root, "");
        foreach (var name in new[] { "pipe", "sock", "to-pipe", "dangling", "abs-in", "link-out", "link-out-relative", "link-sibling/", ".hidden" })
        {
            Assert.False(Lists(html, name), name);
        }

        foreach (var name in new[] { "a.txt", "empty", "中文.txt", "sub/", "link-in", "link-dir-in/" })
        {
            Assert.True(Lists(html, name), name);
        }

        Assert.Equal(6 + 1, page.Entries);
    }

    [Fact]
    public void A_symlink_is_listed_with_its_targets_size_resolved_from_the_directory_it_is_in()
    {
        File.CreateSymbolicLink(_tree.PathOf("sub/up"), "../one");
        using var root = new FileRoot(_tree.Root);
        var (_, viaSub) = List(root, "sub/");
        Assert.True(Lists(viaSub, "up"));
        Assert.Contains("title=\"1 bytes\"", viaSub, StringComparison.Ordinal);
        var (_, viaLink) = List(root, "link-dir-in/");
        Assert.True(Lists(viaLink, "up"));
        Assert.True(Lists(viaLink, "inner.txt"));
    }

    [Fact]
    public void A_symlink_to_a_hidden_name_is_listed_only_with_hidden_on()
    {
        File.WriteAllText(_tree.PathOf(".secret"), TempTree.Secret);
        File.CreateSymbolicLink(_tree.PathOf("to-secret"), ".secret");
        Directory.CreateDirectory(_tree.PathOf(".config"));
        Directory.CreateSymbolicLink(_tree.PathOf("cfg"), ".config");
        using (var root = new FileRoot(_tree.Root))
        {
            var (_, html) = List(root, "");
            Assert.False(Lists(html, "to-secret"));
            Assert.False(Lists(html, "cfg/"));
        }

        using var shown = new FileRoot(_tree.Root, showHidden: true);
        var (_, all) = List(shown, "");
        Assert.True(Lists(all, "to-secret"));
        Assert.True(Lists(all, "cfg/"));
        Assert.True(Lists(all, ".secret"));
    }

    [Fact]
    public void A_name_that_is_not_utf8_or_holds_an_escape_is_listed_with_a_link_to_its_bytes()
    {
        // "café.txt" in Latin-1: E9 alone is not UTF-8. Shown escaped, linked byte for byte (issue 9).
        TestFileSystem.WriteFile(_tree.Root, [.. "caf"u8, 0xE9, .. ".txt"u8], "latin-1"u8);
        File.WriteAllText(_tree.PathOf("100%41.txt"), "a name holding an escape");
        File.WriteAllText(_tree.PathOf("tab\there"), "a control character: no client could ask for it");
        using var root = new FileRoot(_tree.Root);
        var (page, html) = List(root, "");
        Assert.Equal(1, page.Unservable);
        Assert.Contains("<a href=\"caf%E9.txt\">caf\\xE9.txt</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"100%2541.txt\">100%41.txt</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\uFFFD", html, StringComparison.Ordinal);
        Assert.Contains("1 not shown: its name cannot be asked for", html, StringComparison.Ordinal);
        Assert.True(Lists(html, "a.txt"));
    }

    [Fact]
    public void Rows_past_the_limit_are_counted_not_kept()
    {
        using var root = new FileRoot(_tree.Root);
        var (page, html) = List(root, "", ListingCacheOptions.Default with { MaxEntries = 3 });
        Assert.Equal(3, page.Entries);
        // Seven would be listed; past the limit symlinks are not followed, so those out of the root count too.
        Assert.InRange(page.NotShown, 4, 7);
        Assert.Contains($"3 entries; {page.NotShown} more not shown", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_deleted_while_listed_are_left_out_without_an_error()
    {
        using var scratch = new MemoryDirectory();
        string crowd = Path.Combine(scratch.Path, "crowd");
        Directory.CreateDirectory(crowd);
        for (int i = 0; i < 3000; i++)
        {
            File.WriteAllBytes(Path.Combine(crowd, $"f{i:D5}"), []);
            File.CreateSymbolicLink(Path.Combine(crowd, $"l{i:D5}"), $"f{i:D5}");
        }

        using var root = new FileRoot(scratch.Path);
        using var listing = new ManualResetEventSlim();
        var deleting = Task.Run(() =>
        {
            string[] names = Directory.EnumerateFileSystemEntries(crowd).ToArray();
            listing.Wait(TimeSpan.FromSeconds(30));
            foreach (var path in names)
            {
                File.Delete(path);
            }
        });

        var seen = new List<int>();
        do
        {
            // A new cache each time: every call reads the directory again while it empties.
            listing.Set();
            var (page, _) = List(root, "crowd/");
            seen.Add(page.Entries);
        }
        while (!deleting.IsCompleted);

        await deleting.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(seen, entries => Assert.InRange(entries, 0, 6000));
        Assert.Equal(0, List(root, "crowd/").Page.Entries);
    }

    [Fact]
    public void A_page_is_reused_for_its_directory_version_and_remade_when_an_entry_comes()
    {
        using var root = new FileRoot(_tree.Root);
        var time = new ManualTime();
        var cache = new ListingCache(root, ListingCacheOptions.Default with { Time = time });
        ListingPage first, second;
        using (var directory = OpenDirectory(root, "sub/"))
        {
            first = cache.GetPage(directory, "/sub/");
        }

        using (var directory = OpenDirectory(root, "sub/"))
        {
            second = cache.GetPage(directory, "/sub/");
        }

        Assert.Same(first, second);
        Assert.Equal(1, cache.Renders);

        // Another path to the same directory has its own title and links: its own page.
        using (var directory = OpenDirectory(root, "link-dir-in/"))
        {
            Assert.NotSame(first, cache.GetPage(directory, "/link-dir-in/"));
        }

        Assert.Equal(2, cache.Renders);

        File.WriteAllText(_tree.PathOf("sub/new.txt"), "new");
        using (var directory = OpenDirectory(root, "sub/"))
        {
            var third = cache.GetPage(directory, "/sub/");
            Assert.True(Lists(Encoding.UTF8.GetString(third.Content.Span), "new.txt"));
        }

        Assert.Equal(3, cache.Renders);

        // Past MaxAge the same version is read again (a listed file may have grown).
        time.Advance(TimeSpan.FromSeconds(3));
        using (var directory = OpenDirectory(root, "sub/"))
        {
            cache.GetPage(directory, "/sub/");
        }

        Assert.Equal(4, cache.Renders);
    }

    [Fact]
    public void The_cache_is_bounded_by_pages_and_by_bytes()
    {
        using var root = new FileRoot(_tree.Root);
        var byCount = new ListingCache(root, ListingCacheOptions.Default with { Capacity = 2 });
        foreach (var name in new[] { "", "sub/", "link-dir-in/" })
        {
            using var directory = OpenDirectory(root, name);
            byCount.GetPage(directory, "/" + name);
        }

        Assert.Equal(2, byCount.Count);

        var byBytes = new ListingCache(root, ListingCacheOptions.Default with { MaxBytes = 1000 });
        for (int i = 0; i < 2; i++)
        {
            using var directory = OpenDirectory(root, "");
            Assert.True(byBytes.GetPage(directory, "/").Content.Length > 1000);
        }

        Assert.Equal(0, byBytes.Count);
        Assert.Equal(2, byBytes.Renders);
    }

    [Fact]
    public void A_file_is_not_listed()
    {
        using var root = new FileRoot(_tree.Root);
        using var file = root.Open("a.txt"u8).File!;
        Assert.Throws<ArgumentException>(() => new ListingCache(root).GetPage(file, "/a.txt"));
    }

    /// <summary>One row of the page: its icon, link, text, exact size, size as shown, and date.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("""<tr><td><svg class="(?<icon>icon(?: dir)?)"[^>]*>.*?</svg><a href="(?<href>[^"]*)">(?<text>[^<]*)</a></td><td class="size" title="(?<bytes>\d+) bytes">(?<size>[^<]*)</td><td class="date"><span>(?<day>[^<]*)</span> <span>(?<time>[^<]*)</span></td></tr>""")]
    private static partial System.Text.RegularExpressions.Regex RowPattern();

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _now = 1_000_000;

        public override long GetTimestamp() => Interlocked.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)(by.TotalSeconds * TimestampFrequency));
    }
}
