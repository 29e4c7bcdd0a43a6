using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using BenchmarkDotNet.Attributes;
using Doorway.Capitalize;

namespace Doorway.Benchmarks;

/// <summary>
/// Where the ASCII path's time goes: the memory copy floor, the framework's <see cref="Ascii.ToUpper(ReadOnlySpan{byte}, Span{byte}, out int)"/>
/// (what <see cref="UpperCaser"/> calls for ASCII runs), and a 32-bytes-at-a-time sketch of the
/// same conversion, to see how much a wider vector loop would close the gap.
/// </summary>
[MemoryDiagnoser]
public class AsciiUpperBenchmarks
{
    private readonly byte[] _input = new byte[16 * 1024];
    private readonly byte[] _output = new byte[UpperCaser.MaxOutputLength(16 * 1024)];

    [GlobalSetup]
    public void Setup()
    {
        ReadOnlySpan<byte> sample = "the quick brown fox jumps over the lazy dog, 0123456789; "u8;
        for (int i = 0; i < _input.Length; i++)
        {
            _input[i] = sample[i % sample.Length];
        }
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

    [Benchmark(Description = "Ascii.ToUpper")]
    public int FrameworkAscii()
    {
        Ascii.ToUpper(_input, _output, out int written);
        return written;
    }

    [Benchmark(Description = "Vector256 sketch")]
    public int Wide() => WideAsciiUpper(_input, _output);

    [Benchmark(Description = "AsciiUpper.ToUpperSteps (the library's loop)")]
    public int Unrolled() => AsciiUpper.ToUpperSteps(_input, _output);

    // Upper-cases ASCII 32 bytes at a time; stops before the first block holding a non-ASCII byte.
    private static int WideAsciiUpper(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create((byte)'a');
            var range = Vector256.Create((byte)26);
            var flip = Vector256.Create((byte)0x20);
            for (; i <= source.Length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                var block = Vector256.Create(source.Slice(i, Vector256<byte>.Count));
                if (block.ExtractMostSignificantBits() != 0)
                {
                    return i;
                }

                var lower = Vector256.LessThan(block - a, range);
                (block ^ (lower & flip)).CopyTo(destination[i..]);
            }
        }

        for (; i < source.Length && source[i] < 0x80; i++)
        {
            destination[i] = (byte)(source[i] - 'a' < 26u ? source[i] ^ 0x20 : source[i]);
        }

        return i;
    }
}
