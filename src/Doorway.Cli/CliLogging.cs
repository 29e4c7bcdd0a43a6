using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Doorway.Cli;

internal static class CliLogging
{
    /// <summary>Logs go to stderr, one line each, so stdout carries only what scripts read (ready lines, replies).</summary>
    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(level);
        builder.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
            options.IncludeScopes = false;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(options =>
        {
            options.LogToStandardErrorThreshold = LogLevel.Trace;
            // Under a flood of connections, drop log lines rather than stall the threads that serve them.
            options.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
        });
    });
}
