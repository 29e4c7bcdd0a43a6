using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Doorway.Cli;

internal static class CliLogging
{
    public const string Text = "text";
    public const string Json = "json";

    /// <summary>
    /// Logs go to stderr, one line each, so stdout carries only what scripts read (ready lines, replies):
    /// for people a timestamped line, for machines (<c>--log-format json</c>) one JSON object a line,
    /// with each event's fields (client, method, target, status, bytes, milliseconds) as properties.
    /// </summary>
    public static ILoggerFactory Create(LogLevel level, string format = Text) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(level);
        if (format == Json)
        {
            builder.AddJsonConsole(options =>
            {
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffzzz";
                options.IncludeScopes = false;
            });
        }
        else
        {
            builder.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss.fff ";
                options.IncludeScopes = false;
            });
        }

        builder.Services.Configure<ConsoleLoggerOptions>(options =>
        {
            options.LogToStandardErrorThreshold = LogLevel.Trace;
            // Under a flood of connections, drop log lines rather than stall the threads that serve them.
            options.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
        });
    });
}
