using Microsoft.Extensions.Logging;

namespace Doorway.Reply;

/// <summary>
/// The reply door's lines, in the seed's shape: <c>print(clientAddr, " >>>>>>> ", recvData.decode("utf-8"))</c>
/// prints <c>('1.2.3.4', 5678)  >>>>>>>  are u ok?</c>. One line per message, written before the
/// reply is sent as the seed does; what cut a message short is said after its text. Events 600–619.
/// </summary>
internal static partial class ReplyLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "{Client}  >>>>>>>  {Text}")]
    public static partial void Said(ILogger logger, string client, string text);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "{Client}  >>>>>>>  {Text}  [cut at the read limit of {Limit} bytes; the rest is ignored]")]
    public static partial void SaidTooMuch(ILogger logger, string client, string text, int limit);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "{Client}  >>>>>>>  [nothing received within the request timeout of {RequestTimeout}]")]
    public static partial void SaidNothing(ILogger logger, string client, TimeSpan requestTimeout);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "{Client}  >>>>>>>  {Text}  [still arriving at the request timeout of {RequestTimeout}]")]
    public static partial void SaidTooSlowly(ILogger logger, string client, string text, TimeSpan requestTimeout);

    [LoggerMessage(EventId = 604, Level = LogLevel.Information, Message = "{Client}  >>>>>>>  {Text}  [the door is stopping: answered with what had arrived]")]
    public static partial void CutByStop(ILogger logger, string client, string text);

    [LoggerMessage(EventId = 605, Level = LogLevel.Information, Message = "{Client}  ignored {Ignored} bytes after its message")]
    public static partial void Ignored(ILogger logger, string client, long ignored);

    [LoggerMessage(EventId = 606, Level = LogLevel.Information, Message = "{Client}  ignored {Ignored} bytes after its message and was still sending when the door stopped reading (lingering close reads at most {LingerBytes}); the rest was refused")]
    public static partial void IgnoredUntilBound(ILogger logger, string client, long ignored, int lingerBytes);
}
