using Microsoft.Extensions.Logging;

namespace Doorway.Tests.Udp;

/// <summary>A logger that keeps every event it is given (from any thread), for tests that count log lines.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<(EventId Id, LogLevel Level, string Message)> _events = [];

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The messages of the events with <paramref name="id"/>.</summary>
    public IReadOnlyList<string> Messages(int id) => [.. Events.Where(e => e.Id.Id == id).Select(static e => e.Message)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string message = formatter(state, exception);
        lock (_events)
        {
            _events.Add((eventId, logLevel, message));
        }
    }
}
