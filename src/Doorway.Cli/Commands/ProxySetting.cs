using System.Diagnostics.CodeAnalysis;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// Which web cache <c>doorway get</c> asks: <c>--proxy URL</c>, else <c>http_proxy</c> (or
/// <c>HTTP_PROXY</c>) as curl and wget read it, unless <c>no_proxy</c> names the server (a host,
/// a domain suffix, or "*").
/// </summary>
internal static class ProxySetting
{
    public static bool TryResolve(string? flag, HostPort server, out HostPort? proxy, [NotNullWhen(false)] out string? problem)
    {
        proxy = null;
        problem = null;
        string? text = flag;
        if (text is null)
        {
            text = Environment.GetEnvironmentVariable("http_proxy") ?? Environment.GetEnvironmentVariable("HTTP_PROXY");
            if (string.IsNullOrEmpty(text) || Bypassed(server.Host))
            {
                return true;
            }
        }

        if (text.Equals("off", StringComparison.OrdinalIgnoreCase) || text.Length == 0)
        {
            return true;
        }

        string hostPort = text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? text["http://".Length..] : text;
        hostPort = hostPort.TrimEnd('/');
        if (text.Contains("://", StringComparison.Ordinal) && !text.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || !HostPort.TryParse(hostPort, 3128, out var parsed) || parsed.Value.Port == 0)
        {
            problem = $"{(flag is null ? "http_proxy" : "--proxy")} takes http://host:port, not '{text}'.";
            return false;
        }

        proxy = parsed;
        return true;
    }

    private static bool Bypassed(string host)
    {
        string? list = Environment.GetEnvironmentVariable("no_proxy") ?? Environment.GetEnvironmentVariable("NO_PROXY");
        if (string.IsNullOrEmpty(list))
        {
            return false;
        }

        foreach (var entry in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string name = entry.TrimStart('.');
            if (entry == "*" || host.Equals(name, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
