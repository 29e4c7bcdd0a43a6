using System.Globalization;
using System.Text;
using System.Text.Json;
using Doorway.Bench;

namespace Doorway.Cli;

/// <summary>What <c>doorway bench</c> prints: a summary for people, or one JSON object for scripts.</summary>
internal static class BenchReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Summary(BenchResult result, bool interrupted = false)
    {
        var o = result.Options;
        var text = new StringBuilder();
        if (interrupted)
        {
            text.Append(Invariant, $"INTERRUPTED: a partial result, {result.Elapsed.TotalSeconds:0.00} s of the {o.Duration.TotalSeconds:0.###} s to measure\n");
        }

        text.Append(Invariant, $"{Name(o.Mode)} {o.Server}  connections {o.Connections}  ");
        text.Append(o.Mode == BenchMode.Files
            ? $"path {o.Path}  "
            : string.Create(Invariant, $"size {o.MessageSize} B  "));
        text.Append(Invariant, $"pipeline {o.Pipeline}  ");
        if (o.Rate is double rate)
        {
            text.Append(Invariant, $"rate {rate:0.###}/s  ");
        }

        text.Append(Invariant, $"measured {result.Elapsed.TotalSeconds:0.00} s (warm-up {o.Warmup.TotalSeconds:0.##} s)\n");
        text.Append(Invariant, $"  messages    {result.Messages:N0}  ({result.MessagesPerSecond:N0} msg/s, {result.MibPerSecond:0.00} MiB/s each way)\n");
        text.Append(Invariant, $"  latency µs  p50 {result.LatencyUs(50):0.0}  p90 {result.LatencyUs(90):0.0}  p99 {result.LatencyUs(99):0.0}  p99.9 {result.LatencyUs(99.9):0.0}  max {result.MaxUs:0.0}\n");
        text.Append(Invariant, $"  errors {result.Errors}  mismatches {result.Mismatches}");
        if (o.Mode == BenchMode.Udp)
        {
            text.Append(Invariant, $"  lost {result.Lost}  late {result.Late}");
        }

        text.Append('\n');
        return text.ToString();
    }

    public static void WriteJson(BenchResult result, Stream stdout, bool interrupted = false)
    {
        var o = result.Options;
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteString("mode", Name(o.Mode));
            json.WriteString("server", o.Server.ToString());
            json.WriteNumber("connections", o.Connections);
            if (o.Mode != BenchMode.Files || o.Size is not null)
            {
                json.WriteNumber("size", o.MessageSize);
            }

            json.WriteNumber("pipeline", o.Pipeline);
            if (o.Rate is double rate)
            {
                json.WriteNumber("rate", rate);
            }

            json.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            // A run cut short by Ctrl-C measured less than it was asked to: scripts must not take it for a whole one.
            json.WriteBoolean("interrupted", interrupted);
            json.WriteNumber("messages", result.Messages);
            json.WriteNumber("messagesPerSecond", Math.Round(result.MessagesPerSecond, 1));
            json.WriteNumber("mibPerSecond", Math.Round(result.MibPerSecond, 3));
            json.WriteNumber("p50Us", Math.Round(result.LatencyUs(50), 1));
            json.WriteNumber("p90Us", Math.Round(result.LatencyUs(90), 1));
            json.WriteNumber("p99Us", Math.Round(result.LatencyUs(99), 1));
            json.WriteNumber("p999Us", Math.Round(result.LatencyUs(99.9), 1));
            json.WriteNumber("maxUs", Math.Round(result.MaxUs, 1));
            json.WriteNumber("errors", result.Errors);
            json.WriteNumber("mismatches", result.Mismatches);
            if (o.Mode == BenchMode.Udp)
            {
                json.WriteNumber("lost", result.Lost);
                json.WriteNumber("late", result.Late);
            }

            json.WriteNumber("allocatedBytes", result.AllocatedBytes);
            if (result.FirstError is not null)
            {
                json.WriteString("firstError", result.FirstError);
            }

            if (result.FirstMismatch is not null)
            {
                json.WriteString("firstMismatch", result.FirstMismatch);
            }

            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }

    private static string Name(BenchMode mode) => mode switch
    {
        BenchMode.Udp => "udp",
        BenchMode.Files => "files",
        _ => "tcp",
    };
}
