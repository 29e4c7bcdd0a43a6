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

    [Benchmark(Description = "Vector256 ×4 unrolled sketch")]
    public int Unrolled() => UnrolledAsciiUpper(_input, _output);

    // As the sketch below, but four blocks per step with one ASCII check for all four, and no
    // bounds checks: loads and stores at refs (the lengths are checked once, up front).
    private static int UnrolledAsciiUpper(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        const int Step = 4 * 32;
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("destination too short", nameof(destination));
        }

        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        var a = Vector256.Create((byte)'a');
        var range = Vector256.Create((byte)26);
        var flip = Vector256.Create((byte)0x20);
        nuint i = 0;
        nuint end = (nuint)source.Length;
        for (; i + Step <= end; i += Step)
        {
            var v0 = Vector256.LoadUnsafe(ref from, i);
            var v1 = Vector256.LoadUnsafe(ref from, i + 32);
            var v2 = Vector256.LoadUnsafe(ref from, i + 64);
            var v3 = Vector256.LoadUnsafe(ref from, i + 96);
            if (((v0 | v1 | v2 | v3) & Vector256.Create((byte)0x80)) != Vector256<byte>.Zero)
            {
                break;
            }

            (v0 ^ (Vector256.LessThan(v0 - a, range) & flip)).StoreUnsafe(ref to, i);
            (v1 ^ (Vector256.LessThan(v1 - a, range) & flip)).StoreUnsafe(ref to, i + 32);
            (v2 ^ (Vector256.LessThan(v2 - a, range) & flip)).StoreUnsafe(ref to, i + 64);
            (v3 ^ (Vector256.LessThan(v3 - a, range) & flip)).StoreUnsafe(ref to, i + 96);
        }

        return (int)i + WideAsciiUpper(source[(int)i..], destination[(int)i..]);
    }

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
