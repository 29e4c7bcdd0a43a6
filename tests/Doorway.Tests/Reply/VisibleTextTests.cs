using System.Text;
using Doorway.Reply;

namespace Doorway.Tests.Reply;

/// <summary>How the reply door shows a client's bytes in its log line: without sockets.</summary>
public sealed class VisibleTextTests
{
    public static TheoryData<byte[], string> Cases => new()
    {
        { "are u ok?"u8.ToArray(), "are u ok?" },
        { Encoding.UTF8.GetBytes("你好吗 straße 😀"), "你好吗 straße 😀" },
        // Bytes that are not UTF-8: each shown as itself.
        { [0xFF], @"\xff" },
        { [(byte)'a', 0xC3, (byte)'(', (byte)'b'], @"a\xc3(b" },
        { [0xED, 0xA0, 0x80], @"\xed\xa0\x80" },          // an encoded surrogate
        { [0xC0, 0xAF], @"\xc0\xaf" },                    // an overlong '/'
        { [(byte)'x', 0xE4, 0xBD], @"x\xe4\xbd" },        // a character cut short at the end
        // Controls: no second line, no terminal escape.
        { "a\r\nb\tc"u8.ToArray(), @"a\r\nb\tc" },
        { [0x00, 0x1B, (byte)'[', (byte)'2', (byte)'J', 0x7F], @"\x00\x1b[2J\x7f" },
        { Encoding.UTF8.GetBytes("\u0085\u009b"), @"\u0085\u009b" },   // C1 controls: not confused with the bytes 85, 9b
        // What reorders or breaks the rest of a line.
        { Encoding.UTF8.GetBytes("a\u202Eb\u2066c\u2028d\u2029e\u200Ff"), @"a\u202eb\u2066c\u2028d\u2029e\u200ff" },
        // A backslash is doubled, so a client cannot write an escape that looks like one of ours.
        { @"\xff"u8.ToArray(), @"\\xff" },
        { [], "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Shows_valid_text_as_itself_and_everything_else_escaped(byte[] bytes, string expected) =>
        Assert.Equal(expected, VisibleText.From(bytes));

    [Fact]
    public void Every_pair_of_bytes_is_shown_with_no_control_character_and_no_lone_surrogate()
    {
        for (int first = 0; first < 256; first++)
        {
            for (int second = 0; second < 256; second++)
            {
                string shown = VisibleText.From([(byte)first, (byte)second]);
                Assert.DoesNotContain(shown, c => char.IsControl(c) || char.IsSurrogate(c));
            }
        }
    }
}
