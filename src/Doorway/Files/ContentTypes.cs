namespace Doorway.Files;

/// <summary>Content-Type by file extension; anything unknown is application/octet-stream.</summary>
internal static class ContentTypes
{
    public const string Default = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text/plain; charset=utf-8",
        [".md"] = "text/markdown; charset=utf-8",
        [".csv"] = "text/csv; charset=utf-8",
        [".log"] = "text/plain; charset=utf-8",
        [".html"] = "text/html; charset=utf-8",
        [".htm"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json",
        [".xml"] = "application/xml",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".ico"] = "image/x-icon",
        [".pdf"] = "application/pdf",
        [".zip"] = "application/zip",
        [".gz"] = "application/gzip",
        [".tar"] = "application/x-tar",
        [".wasm"] = "application/wasm",
        [".mp3"] = "audio/mpeg",
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".woff2"] = "font/woff2",
    };

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        ByExtension.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The type for a name given as UTF-8 bytes (a decoded request path), with no string made.</summary>
    public static string For(ReadOnlySpan<byte> name)
    {
        int slash = name.LastIndexOf((byte)'/');
        int dot = name.LastIndexOf((byte)'.');
        if (dot <= slash + 1 || name.Length - dot > 16)
        {
            return Default;
        }

        Span<char> extension = stackalloc char[16];
        int length = System.Text.Encoding.UTF8.GetChars(name[dot..], extension);
        return Lookup.TryGetValue(extension[..length], out var type) ? type : Default;
    }

    public static string For(string path)
    {
        var extension = Path.GetExtension(path.AsSpan());
        return !extension.IsEmpty && Lookup.TryGetValue(extension, out var type) ? type : Default;
    }
}
