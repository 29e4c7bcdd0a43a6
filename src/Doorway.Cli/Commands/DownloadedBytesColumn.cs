using Spectre.Console;
using Spectre.Console.Rendering;

namespace Doorway.Cli.Commands;

/// <summary>"12.5/100.0 MiB": received of total, in the total's unit (received alone when the total is unknown).</summary>
internal sealed class DownloadedBytesColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsIndeterminate)
        {
            var (unit, divisor) = BinaryUnits.For(task.Value);
            return new Text($"{BinaryUnits.Format(task.Value, unit, divisor)} {unit}");
        }

        var (totalUnit, totalDivisor) = BinaryUnits.For(task.MaxValue);
        return new Text(
            $"{BinaryUnits.Format(task.Value, totalUnit, totalDivisor)}/{BinaryUnits.Format(task.MaxValue, totalUnit, totalDivisor)} {totalUnit}");
    }
}
