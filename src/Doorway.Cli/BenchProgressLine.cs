using System.Globalization;
using Doorway.Bench;

namespace Doorway.Cli;

/// <summary>Live progress on a terminal's stderr: one line, rewritten once a second.</summary>
internal sealed class BenchProgressLine
{
    private int _width;

    public void Show(BenchProgress progress)
    {
        string line = progress.Measuring
            ? string.Create(CultureInfo.InvariantCulture,
                $"  {progress.Elapsed.TotalSeconds,4:0} s  {progress.MessagesPerSecond,12:N0} msg/s  {progress.Messages,14:N0} messages  errors {progress.Errors}  mismatches {progress.Mismatches}")
            : string.Create(CultureInfo.InvariantCulture, $"  warming up {progress.Elapsed.TotalSeconds:0} s");
        Write(line);
    }

    public void Clear()
    {
        if (_width > 0)
        {
            Write(string.Empty);
            Console.Error.Write('\r');
        }
    }

    private void Write(string line)
    {
        Console.Error.Write('\r' + line.PadRight(_width));
        _width = Math.Max(_width, line.Length);
    }
}
