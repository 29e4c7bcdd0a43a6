using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>What --help tells a new user: examples to copy, defaults in one shape, the exit codes, no project jargon.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData("serve")]
    [InlineData("capitalize")]
    [InlineData("ping")]
    [InlineData("get")]
    [InlineData("bench", "tcp")]
    [InlineData("bench", "udp")]
    [InlineData("bench", "files")]
    public async Task Each_command_shows_examples_and_its_defaults_one_way(params string[] command)
    {
        var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync([.. command, "--help"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
        Assert.Contains($"  doorway {string.Join(' ', command)}", stdout, StringComparison.Ordinal);
        // System.CommandLine writes "[default: X]"; a hand-written default says it the same way.
        Assert.DoesNotContain("Default:", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("seed", stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Capitalize_shows_its_text_as_optional()
    {
        var (_, stdout, _) = await RunningProcess.RunDoorwayAsync(["capitalize", "--help"]);
        Assert.Contains("doorway capitalize [<TEXT>...] [options]", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_top_help_lists_the_exit_codes()
    {
        var (_, stdout, _) = await RunningProcess.RunDoorwayAsync(["--help"]);
        foreach (string code in new[] { "0 success", "1 a failure", "2 a usage error", "130 interrupted" })
        {
            Assert.Contains(code, stdout, StringComparison.Ordinal);
        }
    }
}
