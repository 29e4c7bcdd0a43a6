using System.Globalization;
using System.Text;

namespace Doorway.Tests.Capitalize;

/// <summary>
/// The expectation generated from Python's str.upper() by scripts/generate-case-table.py:
/// the UTF-8 upper case of every Unicode scalar value.
/// </summary>
internal static class PythonUpper
{
    private static readonly Lazy<Dictionary<int, string>> Changed = new(Load);

    private static readonly Lazy<List<(int First, int Last)>> UnknownRanges = new(() =>
        ReadLines().Where(l => l[0] == "N").Select(l => (Hex(l[1]), Hex(l[2]))).ToList());

    /// <summary>Python's upper case of <paramref name="scalar"/>, or .NET's where Python does not know the code point.</summary>
    public static byte[] Expected(Rune scalar)
    {
        if (Changed.Value.TryGetValue(scalar.Value, out var upper))
        {
            return Encoding.UTF8.GetBytes(upper);
        }

        if (IsUnknownToPython(scalar.Value))
        {
            return Utf8(Rune.ToUpperInvariant(scalar));
        }

        return Utf8(scalar);
    }

    public static int ChangedCount => Changed.Value.Count;

    public static bool IsUnknownToPython(int value) => UnknownRanges.Value.Any(r => value >= r.First && value <= r.Last);

    public static IEnumerable<Rune> AllScalars()
    {
        for (int value = 0; value <= 0x10FFFF; value++)
        {
            if (Rune.IsValid(value))
            {
                yield return new Rune(value);
            }
        }
    }

    public static byte[] Utf8(Rune rune)
    {
        byte[] bytes = new byte[rune.Utf8SequenceLength];
        rune.EncodeToUtf8(bytes);
        return bytes;
    }

    private static Dictionary<int, string> Load() =>
        ReadLines().Where(l => l[0] == "U").ToDictionary(
            l => Hex(l[1]),
            l => string.Concat(l.Skip(2).Select(h => char.ConvertFromUtf32(Hex(h)))));

    private static IEnumerable<string[]> ReadLines() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Capitalize", "python-upper.txt"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(' '));

    private static int Hex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
