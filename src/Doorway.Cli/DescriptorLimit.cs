using System.Globalization;

namespace Doorway.Cli;

/// <summary>How many file descriptors this process may open: the number behind "ulimit -n".</summary>
internal static class DescriptorLimit
{
    /// <summary>
    /// The soft limit, from /proc/self/limits (the .NET runtime raises it to the hard limit at
    /// start-up, so this is what the process really has); null where that file does not exist.
    /// </summary>
    public static long? Current()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    string[] fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
