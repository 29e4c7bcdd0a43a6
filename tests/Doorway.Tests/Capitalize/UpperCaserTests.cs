using System.Text;
using Doorway.Capitalize;

namespace Doorway.Tests.Capitalize;

public sealed class UpperCaserTests
{
    // Latin, German sharp s, ligatures, Greek with expansions, Cyrillic, CJK, emoji, Armenian, dotless i.
    private const string Mixed = "hello straße ﬁﬂ ΐΰ ŉ ǰ привет 中文 😀 ﬗ ıſ end";

    [Fact]
    public void Every_scalar_value_is_upper_cased_as_python_does()
    {
        Assert.True(PythonUpper.ChangedCount > 1400, "the expectation file is loaded");
        byte[] output = new byte[UpperCaser.MaxOutputLength(4)];
        var wrong = new List<string>();
        foreach (var scalar in PythonUpper.AllScalars())
        {
            byte[] input = PythonUpper.Utf8(scalar);
            int written = UpperCaser.TransformWhole(input, output);
            byte[] expected = PythonUpper.Expected(scalar);
            if (!output.AsSpan(0, written).SequenceEqual(expected))
            {
                wrong.Add($"U+{scalar.Value:X4}: got {Convert.ToHexString(output, 0, written)}, want {Convert.ToHexString(expected)}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} code points differ from Python:\n{string.Join('\n', wrong.Take(20))}");
    }

    [Theory]
    [InlineData("straße", "STRASSE")]
    [InlineData("ﬁ", "FI")]
    [InlineData("ΐ", "\u0399\u0308\u0301")]
    [InlineData("ı", "I")]
    [InlineData("ſ", "S")]
    [InlineData("hello world", "HELLO WORLD")]
    [InlineData("", "")]
    public void Known_full_case_mappings(string input, string expected)
    {
        Assert.Equal(expected, Upper(input));
    }

    [Fact]
    public void All_scalars_in_one_stream_split_into_odd_chunks_match_per_scalar_results()
    {
        var input = new List<byte>();
        var expected = new List<byte>();
        foreach (var scalar in PythonUpper.AllScalars())
        {
            input.AddRange(PythonUpper.Utf8(scalar));
            expected.AddRange(PythonUpper.Expected(scalar));
        }

        // Chunk sizes that are prime, so sequences are cut at every offset.
        foreach (int chunk in new[] { 1, 7, 4093 })
        {
            Assert.Equal(expected.ToArray(), TransformInChunks(input.ToArray(), chunk));
        }
    }

    [Fact]
    public void A_sequence_split_at_every_byte_boundary_is_joined()
    {
        byte[] input = Encoding.UTF8.GetBytes(Mixed);
        byte[] whole = TransformInChunks(input, input.Length);
        Assert.Equal(Encoding.UTF8.GetBytes(Upper(Mixed)), whole);
        for (int cut = 0; cut <= input.Length; cut++)
        {
            var caser = default(UpperCaser);
            byte[] output = new byte[UpperCaser.MaxOutputLength(input.Length) * 2];
            int written = caser.Transform(input.AsSpan(0, cut), output);
            written += caser.Transform(input.AsSpan(cut), output.AsSpan(written));
            written += caser.Flush(output.AsSpan(written));
            Assert.Equal(whole, output[..written]);
        }
    }

    [Theory]
    [InlineData("80")] // lone continuation byte
    [InlineData("C0AF")] // overlong '/'
    [InlineData("E080AF")] // overlong, three bytes
    [InlineData("EDA080")] // a UTF-16 surrogate encoded in UTF-8
    [InlineData("F4908080")] // above U+10FFFF
    [InlineData("F5")]
    [InlineData("FF")]
    [InlineData("FE")]
    [InlineData("E228A1")] // a lead byte followed by ASCII
    [InlineData("C3")] // cut at the end of the stream
    [InlineData("F09F98")] // an emoji missing its last byte
    public void Invalid_utf8_passes_through_unchanged_between_valid_text(string hex)
    {
        byte[] bad = Convert.FromHexString(hex);
        byte[] input = [.. "abc ß "u8, .. bad, .. " ﬁ xyz"u8];
        byte[] expected = [.. "ABC SS "u8, .. bad, .. " FI XYZ"u8];
        if (hex == "E228A1")
        {
            // The '(' after the broken lead byte is ASCII and is upper-cased as itself.
            expected = [.. "ABC SS "u8, 0xE2, 0x28, 0xA1, .. " FI XYZ"u8];
        }

        for (int chunk = 1; chunk <= input.Length; chunk++)
        {
            Assert.Equal(expected, TransformInChunks(input, chunk));
        }
    }

    [Fact]
    public void The_vectorized_ascii_path_matches_a_byte_by_byte_reference_at_every_length_and_break()
    {
        var random = new Random(12000);
        for (int length = 0; length <= 600; length += 7)
        {
            byte[] input = new byte[length];
            for (int i = 0; i < length; i++)
            {
                input[i] = (byte)random.Next(0x00, 0x80); // every ASCII byte, not just letters
            }

            Assert.Equal(ReferenceAsciiUpper(input), TransformInChunks(input, Math.Max(1, length)));

            // A non-ASCII character at every 13th position sends the rest through the other paths.
            for (int at = 0; at < length; at += 13)
            {
                byte[] mixed = [.. input[..at], .. "é"u8, .. input[at..]];
                byte[] expected = [.. ReferenceAsciiUpper(input[..at]), .. "É"u8, .. ReferenceAsciiUpper(input[at..])];
                Assert.Equal(expected, TransformInChunks(mixed, mixed.Length));
            }
        }
    }

    private static byte[] ReferenceAsciiUpper(byte[] ascii) =>
        ascii.Select(b => b is >= (byte)'a' and <= (byte)'z' ? (byte)(b - 32) : b).ToArray();

    [Fact]
    public void An_unfinished_sequence_at_the_end_of_the_stream_is_flushed_unchanged()
    {
        var caser = default(UpperCaser);
        byte[] output = new byte[64];
        int written = caser.Transform("é"u8[..1], output);
        Assert.Equal(0, written);
        Assert.Equal(1, caser.PendingCount);
        Assert.Equal(1, caser.Flush(output));
        Assert.Equal(0xC3, output[0]);
        Assert.Equal(0, caser.PendingCount);
    }

    [Fact]
    public void The_worst_expansion_fits_the_advertised_bound()
    {
        // U+0390 is two bytes and becomes three code points, six bytes: the 3x worst case.
        byte[] input = Encoding.UTF8.GetBytes(new string('\u0390', 1000));
        byte[] output = new byte[UpperCaser.MaxOutputLength(input.Length)];
        int written = UpperCaser.TransformWhole(input, output);
        Assert.Equal(input.Length * 3, written);
        Assert.Equal(3, UpperCaser.MaxExpansion);
    }

    [Theory]
    [InlineData("ascii")]
    [InlineData("table")]
    [InlineData("split")]
    public void Transform_allocates_nothing_per_chunk(string kind)
    {
        byte[] input = kind switch
        {
            "ascii" => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog ", 100))),
            _ => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Mixed, 50))),
        };
        int chunk = kind == "split" ? 13 : input.Length;
        byte[] output = new byte[UpperCaser.MaxOutputLength(input.Length)];
        var caser = default(UpperCaser);

        void Run()
        {
            for (int offset = 0; offset < input.Length; offset += chunk)
            {
                caser.Transform(input.AsSpan(offset, Math.Min(chunk, input.Length - offset)), output);
            }

            caser.Flush(output);
        }

        Run(); // warm up: static table access, tiering
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            Run();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static string Upper(string text)
    {
        byte[] input = Encoding.UTF8.GetBytes(text);
        byte[] output = new byte[UpperCaser.MaxOutputLength(input.Length)];
        return Encoding.UTF8.GetString(output, 0, UpperCaser.TransformWhole(input, output));
    }

    private static byte[] TransformInChunks(byte[] input, int chunk)
    {
        var caser = default(UpperCaser);
        var result = new List<byte>(input.Length * 2);
        byte[] output = new byte[UpperCaser.MaxOutputLength(chunk)];
        for (int offset = 0; offset < input.Length; offset += chunk)
        {
            int written = caser.Transform(input.AsSpan(offset, Math.Min(chunk, input.Length - offset)), output);
            result.AddRange(output.AsSpan(0, written));
        }

        result.AddRange(output.AsSpan(0, caser.Flush(output)));
        return [.. result];
    }
}
