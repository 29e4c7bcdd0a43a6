using System.Net;
using System.Text.RegularExpressions;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>The directory listing as a browser sees it: headless Chromium renders the page and every link is followed.</summary>
public sealed partial class ListingPageTests : IDisposable
{
    private static readonly string[] Awkward =
    [
        "<script>alert(1).txt",
        "&lt;not-an-entity&gt;.txt",
        "a&b \"q\" 'x'.txt",
        "100% #1?.txt",
        "space name.txt",
        "中文.txt",
        "<img src=x onerror=alert(2)>",
    ];

    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static async Task<(int Code, string Stdout, string Stderr)> ChromiumAsync(string profile, params string[] args) =>
        await RunningProcess.RunAsync("chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--user-data-dir=" + profile, .. args,
        ], limit: TimeSpan.FromSeconds(90));

    [Fact]
    public async Task Chromium_renders_names_as_text_and_every_link_leads_to_its_file()
    {
        foreach (var name in Awkward)
        {
            await File.WriteAllTextAsync(_tree.PathOf(name), "content of " + name);
        }

        Directory.CreateDirectory(_tree.PathOf("dir <b>bold<b>"));
        await File.WriteAllTextAsync(Path.Combine(_tree.PathOf("dir <b>bold<b>"), "inside.txt"), "inside");
        await using var door = FileClients.Open(_tree.Root);
        string profile = Path.Combine(_tree.Base, "chromium-profile");
        var (code, dom, stderr) = await ChromiumAsync(profile, "--dump-dom", $"http://127.0.0.1:{door.LocalEndPoint.Port}/");
        Assert.True(code == 0, stderr);

        // No name became markup: the only elements are the page's own.
        Assert.DoesNotContain("<script", dom, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", dom, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", dom, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1).txt", dom, StringComparison.Ordinal);
        Assert.DoesNotContain(".hidden", dom, StringComparison.Ordinal);

        var links = LinkPattern().Matches(dom).Select(m => (Href: WebUtility.HtmlDecode(m.Groups[1].Value), Text: WebUtility.HtmlDecode(m.Groups[2].Value))).ToList();
        foreach (var name in Awkward)
        {
            var link = Assert.Single(links, l => l.Text == name);
            var reply = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, $"GET /{link.Href} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
            Assert.Equal(200, reply.Status);
            Assert.Equal("content of " + name, reply.Text);
        }

        var directory = Assert.Single(links, l => l.Text == "dir <b>bold<b>/");
        var inner = HttpReply.Parse(await FileClients.RawAsync(door.LocalEndPoint, $"GET /{directory.Href}inside.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
        Assert.Equal("inside", inner.Text);
    }

    [Fact]
    public async Task Chromium_takes_a_screenshot_of_a_subdirectory_page()
    {
        _tree.MakeFile("sub/big.iso", 3 * 1024 * 1024);
        Directory.CreateDirectory(_tree.PathOf("sub/photos"));
        await using var door = FileClients.Open(_tree.Root);
        string profile = Path.Combine(_tree.Base, "chromium-profile");
        string shot = Path.Combine(_tree.Base, "listing.png");
        var (code, _, stderr) = await ChromiumAsync(profile, "--screenshot=" + shot, "--window-size=1000,600", $"http://127.0.0.1:{door.LocalEndPoint.Port}/sub/");
        Assert.True(code == 0, stderr);
        byte[] png = await File.ReadAllBytesAsync(shot);
        Assert.True(png.Length > 5000, $"screenshot of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        string keep = Environment.GetEnvironmentVariable("DOORWAY_KEEP_SCREENSHOT") ?? "";
        if (keep.Length > 0)
        {
            File.Copy(shot, keep, overwrite: true);
        }
    }

    [Fact]
    public async Task On_a_phone_width_screen_names_get_most_of_the_row_and_nothing_scrolls_sideways()
    {
        Directory.CreateDirectory(_tree.PathOf("phone"));
        Directory.CreateDirectory(_tree.PathOf("phone/a-directory-with-a-rather-long-name"));
        _tree.MakeFile("phone/a-rather-long-file-name-that-must-wrap-somewhere.tar.gz", 300_000);
        // A probe page from the same door (so same origin) frames the listing at 375 px, the width of
        // a small phone, and writes what it measured into its own DOM for --dump-dom to print.
        File.WriteAllText(_tree.PathOf("probe.html"), """
            <!doctype html><body style="margin:0">
            <iframe id="f" src="/phone/" style="width:375px;height:800px;border:0"></iframe>
            <pre id="out">not measured</pre>
            <script>
            document.getElementById("f").onload = () => {
              const d = document.getElementById("f").contentDocument;
              const name = d.querySelector("tbody a").closest("td").getBoundingClientRect().width;
              const table = d.querySelector("table").getBoundingClientRect().width;
              document.getElementById("out").textContent = "name=" + Math.round(name) + " table=" + Math.round(table) + " scroll=" + d.documentElement.scrollWidth;
            };
            </script>
            """);
        await using var door = FileClients.Open(_tree.Root);
        string profile = Path.Combine(_tree.Base, "chromium-profile");
        var (code, dom, stderr) = await ChromiumAsync(profile, "--virtual-time-budget=5000", "--dump-dom", $"http://127.0.0.1:{door.LocalEndPoint.Port}/probe.html");
        Assert.True(code == 0, stderr);
        var measured = Regex.Match(dom, @"name=(\d+) table=(\d+) scroll=(\d+)");
        Assert.True(measured.Success, dom);
        int name = int.Parse(measured.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        int table = int.Parse(measured.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        int scroll = int.Parse(measured.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(scroll <= 375, $"the page scrolls sideways: {measured.Value}");
        Assert.True(name >= table / 2, $"names squeezed into a narrow column: {measured.Value}");
    }

    [GeneratedRegex("<a href=\"([^\"]*)\">([^<]*)</a>")]
    private static partial Regex LinkPattern();
}
