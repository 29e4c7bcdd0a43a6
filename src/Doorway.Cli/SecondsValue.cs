using System.Globalization;

namespace Doorway.Cli;

/// <summary>
/// A duration given in seconds on the command line. Its own type so that --help shows a default
/// as the user writes it ("60"), not as a TimeSpan ("00:01:00"); it converts to TimeSpan freely.
/// </summary>
internal readonly record struct SecondsValue(TimeSpan Value)
{
    public static implicit operator TimeSpan(SecondsValue seconds) => seconds.Value;

    public override string ToString() => Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
