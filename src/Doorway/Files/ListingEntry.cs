using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Doorway.Files;

/// <summary>
/// One row of a directory listing: what serving the name would find (a symlink's target, not the
/// link). <see cref="Name"/> is for reading; <see cref="Href"/> is the link, the name's own bytes
/// percent-encoded, so it reaches the file even when the name is not UTF-8 (issue 9).
/// </summary>
internal readonly record struct ListingEntry(string Name, bool IsDirectory, long Size, DateTime ModifiedUtc)
{
    private readonly string? _href;

    /// <summary>The link to the entry, relative to its directory (without a directory's trailing '/').</summary>
    public string Href
    {
        get => _href ?? HttpTarget.Encode(Encoding.UTF8.GetBytes(Name));
        init => _href = value;
    }

    /// <summary>A row for a name as the directory holds it: bytes, perhaps not UTF-8.</summary>
    public static ListingEntry Of(ReadOnlySpan<byte> name, bool isDirectory, long size, DateTime modifiedUtc) =>
        new(DisplayName(name), isDirectory, size, modifiedUtc) { Href = HttpTarget.Encode(name) };

    /// <summary>
    /// The name as text: UTF-8 decoded, and each byte that is not part of valid UTF-8 shown as
    /// \xNN (as `ls -b` shows it), never as U+FFFD, which would make two names look the same.
    /// </summary>
    public static string DisplayName(ReadOnlySpan<byte> name)
    {
        if (Utf8.IsValid(name))
        {
            return Encoding.UTF8.GetString(name);
        }

        var text = new StringBuilder(name.Length + 16);
        while (!name.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(name, out var rune, out int consumed);
            if (status == OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                consumed = Math.Max(consumed, 1);
                foreach (byte b in name[..consumed])
                {
                    text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:X2}");
                }
            }

            name = name[consumed..];
        }

        return text.ToString();
    }
}
