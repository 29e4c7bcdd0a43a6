using System.Reflection;

namespace Doorway.Tests.Support;

/// <summary>Where things are: the repository, the built doorway command, the test clients.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;

    /// <summary>doorway.dll as built next to the sources (the test project builds it first).</summary>
    public static string DoorwayDll { get; } =
        Path.Combine(Root, "src", "Doorway.Cli", "bin", Configuration, "net10.0", "doorway.dll");

    /// <summary>A test client script copied next to the test assembly.</summary>
    public static string Client(string name) => Path.Combine(AppContext.BaseDirectory, "clients", name);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Doorway.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Doorway.slnx not found above the test assembly");
    }
}
