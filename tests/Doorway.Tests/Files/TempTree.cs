using System.Security.Cryptography;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>
/// A temporary directory laid out for the file door: <c>base/root</c> is served; <c>base/secret.txt</c>
/// and <c>base/root2/</c> (a sibling whose name starts with the root's) lie outside it.
/// </summary>
internal sealed class TempTree : IDisposable
{
    public const string Secret = "SECRET-OUTSIDE-THE-ROOT";

    public TempTree()
    {
        Base = Path.Combine(Path.GetTempPath(), "doorway-files-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Base, "root");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(Base, "root2"));
        File.WriteAllText(Path.Combine(Base, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(Base, "root2", "secret.txt"), Secret);
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        File.WriteAllText(Path.Combine(Root, "a.txt"), "hello\n");
        File.WriteAllBytes(Path.Combine(Root, "empty"), []);
        File.WriteAllBytes(Path.Combine(Root, "one"), [0x42]);
        File.WriteAllText(Path.Combine(Root, "中文.txt"), "你好，世界\n");
        File.WriteAllText(Path.Combine(Root, ".hidden"), Secret);
        File.WriteAllText(Path.Combine(Root, "sub", "inner.txt"), "inner\n");
        File.CreateSymbolicLink(Path.Combine(Root, "link-in"), "a.txt");
        File.CreateSymbolicLink(Path.Combine(Root, "link-out"), Path.Combine(Base, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(Root, "link-out-relative"), "../secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(Root, "link-sibling"), "../root2");
        Directory.CreateSymbolicLink(Path.Combine(Root, "link-dir-in"), "sub");
    }

    public string Base { get; }

    public string Root { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>Writes <paramref name="length"/> pseudo-random bytes in chunks and returns their SHA-256 (hex).</summary>
    public string MakeFile(string name, long length, int seed = 1)
    {
        var random = new Random(seed);
        byte[] chunk = new byte[1024 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = File.Create(PathOf(name)))
        {
            for (long left = length; left > 0;)
            {
                int n = (int)Math.Min(chunk.Length, left);
                random.NextBytes(chunk.AsSpan(0, n));
                file.Write(chunk, 0, n);
                hash.AppendData(chunk, 0, n);
                left -= n;
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Base, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
