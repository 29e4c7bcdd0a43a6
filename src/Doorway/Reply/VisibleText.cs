using System.Buffers;
using System.Globalization;
using System.Text;

namespace Doorway.Reply;

/// <summary>
/// A client's bytes as one log line can show them, unambiguously: valid UTF-8 as its characters;
/// each byte that is not valid UTF-8 as <c>\xHH</c> (80–ff, since every byte below 80 is valid);
/// controls as <c>\t \n \r</c>, <c>\xHH</c> (C0, DEL) or <c>\u0085</c> (C1), so a client cannot
/// forge a second line or a terminal escape; the bidirectional formatting characters and the line
/// and paragraph separators as <c>\uXXXX</c>, so a client cannot reorder or break what follows
/// (CVE-2021-42574, "Trojan Source"); a backslash as <c>\\</c>, so escapes are never ambiguous.
/// </summary>
internal static class VisibleText
{
    public static string From(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out var rune, out int consumed);
            if (status == OperationStatus.Done)
            {
                Append(text, rune);
            }
            else
            {
                // Invalid or cut short (the read limit can cut a character): show the bytes themselves.
                foreach (byte b in bytes[..consumed])
                {
                    text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                }
            }

            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, Rune rune)
    {
        switch (rune.Value)
        {
            case '\\':
                text.Append(@"\\");
                return;
            case '\t':
                text.Append(@"\t");
                return;
            case '\n':
                text.Append(@"\n");
                return;
            case '\r':
                text.Append(@"\r");
                return;
            case < 0x20 or 0x7F:
                text.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                return;
        }

        if (MustEscape(rune))
        {
            text.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
            return;
        }

        Span<char> chars = stackalloc char[2];
        text.Append(chars[..rune.EncodeToUtf16(chars)]);
    }

    private static bool MustEscape(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        || rune.Value is 0x061C or 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);
}
