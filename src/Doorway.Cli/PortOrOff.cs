using System.Globalization;

namespace Doorway.Cli;

/// <summary>
/// The value of a <c>--NAME PORT|off</c> option: a port, or null for "off". A struct, not an
/// <c>int?</c>, because System.CommandLine cannot carry a null out of a custom parser.
/// </summary>
internal readonly record struct PortOrOff(int? Port)
{
    /// <summary>As the user writes it (and as --help shows the default).</summary>
    public override string ToString() => Port?.ToString(CultureInfo.InvariantCulture) ?? "off";
}
