using Spectre.Console;
using Spectre.Console.Rendering;

namespace Doorway.Cli.Commands;

/// <summary>"8.3 MiB/s": the task's recent speed in binary units.</summary>
internal sealed class TransferRateColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Speed is not double speed)
        {
            return new Text("?/s");
        }

        var (unit, divisor) = BinaryUnits.For(speed);
        return new Text($"{BinaryUnits.Format(speed, unit, divisor)} {unit}/s");
    }
}
