using System.Text;
using BenchmarkDotNet.Attributes;
using Doorway.Capitalize;

namespace Doorway.Benchmarks;

/// <summary>
/// The upper-casing transform on 16 KiB of text in four scripts, against the physical floor (a
/// plain copy of the same bytes) and the naive decode → ToUpperInvariant → encode.
/// </summary>
[MemoryDiagnoser]
public class UpperCaserBenchmarks
{
    private const int InputSize = 16 * 1024;

    private byte[] _input = [];
    private byte[] _output = [];

    [Params("ASCII", "Latin", "Greek+Cyrillic", "CJK")]
    public string Text { get; set; } = "ASCII";

    [GlobalSetup]
    public void Setup()
    {
        string sample = Text switch
        {
            "ASCII" => "the quick brown fox jumps over the lazy dog, 0123456789; ",
            "Latin" => "façade, naïve café, über straße, señor, smørrebrød, œuvre à côté; ",
            "Greek+Cyrillic" => "η γρήγορη καφέ αλεπού πηδά πάνω από τον σκύλο; съешь же ещё этих мягких французских булок; ",
            "CJK" => "我能吞下玻璃而不伤身体。私はガラスを食べられます。나는 유리를 먹을 수 있어요. ",
            _ => throw new InvalidOperationException(Text),
        };
        _input = Fill(Encoding.UTF8.GetBytes(sample), InputSize);
        _output = new byte[UpperCaser.MaxOutputLength(_input.Length)];
    }

    [Benchmark(Baseline = true, Description = "memory copy")]
    public int Copy()
    {
        _input.AsSpan().CopyTo(_output);
        return _input.Length;
    }

    [Benchmark(Description = "UpperCaser")]
    public int Transform()
    {
        var caser = default(UpperCaser);
        return caser.Transform(_input, _output);
    }

    [Benchmark(Description = "GetString→ToUpperInvariant→GetBytes")]
    public int Naive() => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(_input).ToUpperInvariant(), _output);

    // Repeats whole characters of the sample up to at most `size` bytes (no character is cut).
    private static byte[] Fill(byte[] sample, int size)
    {
        var bytes = new List<byte>(size);
        string text = Encoding.UTF8.GetString(sample);
        Span<byte> encoded = stackalloc byte[4];
        while (true)
        {
            foreach (var rune in text.EnumerateRunes())
            {
                int length = rune.Utf8SequenceLength;
                if (bytes.Count + length > size)
                {
                    return [.. bytes];
                }

                rune.EncodeToUtf8(encoded);
                bytes.AddRange(encoded[..length]);
            }
        }
    }
}
