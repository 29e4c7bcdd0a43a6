using System.Globalization;

namespace Doorway.Cli.Commands;

/// <summary>Byte counts in the units they are: KiB, MiB, GiB (Spectre's own columns say "MB" for 1024² bytes).</summary>
internal static class BinaryUnits
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>The unit <paramref name="bytes"/> is best shown in, and its divisor.</summary>
    public static (string Unit, double Divisor) For(double bytes)
    {
        int unit = 0;
        double divisor = 1;
        while (unit < Units.Length - 1 && bytes >= divisor * 1024)
        {
            divisor *= 1024;
            unit++;
        }

        return (Units[unit], divisor);
    }

    public static string Format(double bytes, string unit, double divisor) =>
        unit == "B"
            ? bytes.ToString("0", CultureInfo.InvariantCulture)
            : (bytes / divisor).ToString("0.0", CultureInfo.InvariantCulture);
}
