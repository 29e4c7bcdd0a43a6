using System.CommandLine;
using Doorway.Reply;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>The reply door's flags on <c>serve</c> (seed 004's "thanks" server, issue 15); off unless a port is given.</summary>
internal sealed class ReplyDoorFlags : IDoorFlags
{
    private readonly Option<PortOrOff> _port = CommonOptions.OptionalDoorPort("--reply",
        "Port of the reply door (the book's smallest server: logs what each client says, answers --reply-text); 0 picks a free port, 'off' disables the door.");

    private readonly Option<string> _text = new("--reply-text")
    {
        Description = "What the reply door answers every client, as UTF-8 with nothing added (no newline).",
        HelpName = "TEXT",
        DefaultValueFactory = _ => ReplyOptions.Default.Text,
    };

    private readonly Option<int> _readLimit = AtMost(
        CommonOptions.Count("--reply-read-limit", ReplyOptions.Default.ReadLimit, 1,
            $"Most bytes of a client's message the reply door keeps and logs (at most {ReplyOptions.MaxReadLimit}); more is ignored."),
        ReplyOptions.MaxReadLimit);

    private readonly Option<SecondsValue> _pause = CommonOptions.Seconds("--reply-pause", ReplyOptions.Default.Pause.TotalSeconds,
        "Seconds of quiet after a client's last byte that end its message, for clients that send no newline and never half-close.");

    private readonly Option<SecondsValue> _requestTimeout = CommonOptions.Seconds("--reply-request-timeout", ReplyOptions.Default.RequestTimeout.TotalSeconds,
        "Seconds a client gets to send its message; then it is answered with what arrived (a client that sends nothing, too).");

    public IEnumerable<Option> Options => [_port, _text, _readLimit, _pause, _requestTimeout];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(_port).Port is not int port)
        {
            return null;
        }

        var options = ReplyOptions.Default with
        {
            Text = parse.GetValue(_text) ?? ReplyOptions.Default.Text,
            ReadLimit = parse.GetValue(_readLimit),
            Pause = parse.GetValue(_pause),
            RequestTimeout = parse.GetValue(_requestTimeout),
        };
        var logger = context.Loggers.CreateLogger("Doorway.Reply");
        return new DoorPlan(ReplyDoor.Name, port, endPoint => ReplyDoor.Bind(context.Tcp with { EndPoint = endPoint }, options, logger, context.House));
    }


    private static Option<int> AtMost(Option<int> option, int maximum)
    {
        // Reads the token itself: a value the option's own parser refused (below its minimum) has no value to get.
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1
                && long.TryParse(result.Tokens[0].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value)
                && value > maximum)
            {
                result.AddError($"{option.Name} takes a whole number of at most {maximum}, not '{result.Tokens[0].Value}'.");
            }
        });
        return option;
    }
}
