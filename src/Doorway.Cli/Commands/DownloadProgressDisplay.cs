using Doorway.Files.Client;
using Spectre.Console;

namespace Doorway.Cli.Commands;

/// <summary>
/// Progress for <c>doorway get</c> on stderr (bytes, rate, time left) when stderr is a terminal;
/// nothing otherwise, so scripts and logs stay clean.
/// </summary>
internal sealed class DownloadProgressDisplay : IDownloadProgress
{
    private readonly ProgressTask _task;

    private DownloadProgressDisplay(ProgressTask task)
    {
        _task = task;
    }

    public static async Task<DownloadResult> RunAsync(string name, Func<IDownloadProgress?, Task<DownloadResult>> download)
    {
        if (Console.IsErrorRedirected)
        {
            return await download(null);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedBytesColumn(),
                new TransferRateColumn(),
                new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(DownloadTarget.BaseName(name)), autoStart: true, maxValue: 1);
                task.IsIndeterminate = true;
                try
                {
                    return await download(new DownloadProgressDisplay(task));
                }
                finally
                {
                    task.StopTask();
                }
            });
    }

    public void Started(long? total, long resumedAt)
    {
        if (total is { } length)
        {
            _task.MaxValue = Math.Max(length, 1);
            _task.IsIndeterminate = false;
        }

        _task.Value = resumedAt;
    }

    public void Advanced(long received)
    {
        if (_task.IsIndeterminate)
        {
            _task.MaxValue = Math.Max(received, 1);
        }

        _task.Value = received;
    }
}
