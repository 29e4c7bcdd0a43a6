using System.Text.Json;

namespace Doorway.Tests.Bench;

/// <summary>Reads <c>doorway bench --json</c>: stdout must be exactly one JSON object with the promised fields.</summary>
internal static class BenchJson
{
    public static readonly string[] Fields = ["messagesPerSecond", "mibPerSecond", "p50Us", "p99Us", "p999Us", "maxUs", "errors", "mismatches"];

    public static JsonElement Parse(string stdout)
    {
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stdout, got:\n{stdout}");
        using var document = JsonDocument.Parse(lines[0]);
        var root = document.RootElement.Clone();
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        foreach (string field in Fields)
        {
            Assert.True(root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number, $"missing number '{field}' in {lines[0]}");
        }

        return root;
    }

    public static double Number(this JsonElement json, string field) => json.GetProperty(field).GetDouble();
}
