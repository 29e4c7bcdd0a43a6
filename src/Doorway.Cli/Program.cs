using System.CommandLine;
using Doorway.Cli;
using Doorway.Cli.Commands;

var root = new RootCommand(
    "Doorway: the socket-programming systems of Kurose & Ross §2.7, made real. " +
    "A process is a house, a socket is a door: `serve` keeps the doors open, the other commands knock.\n\n" +
    ExitCodes.Help)
{
    ServeCommand.Create(),
    CapitalizeCommand.Create(),
    PingCommand.Create(),
    GetCommand.Create(),
    BenchCommand.Create(),
    DnsCommand.Create(),
};

return await CommandLine.RunAsync(root, args);
