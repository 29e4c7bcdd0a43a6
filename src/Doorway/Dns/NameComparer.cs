namespace Doorway.Dns;

/// <summary>Names without case, looked up by a <see cref="DnsName"/> or by wire bytes (so an answer's lookup allocates nothing).</summary>
internal sealed class NameComparer : IEqualityComparer<DnsName>, IAlternateEqualityComparer<ReadOnlySpan<byte>, DnsName>
{
    public static NameComparer Instance { get; } = new();

    public bool Equals(DnsName? x, DnsName? y) => x is null ? y is null : x.Equals(y);

    public int GetHashCode(DnsName obj) => obj.GetHashCode();

    public bool Equals(ReadOnlySpan<byte> alternate, DnsName other) => DnsName.EqualsIgnoreCase(alternate, other.Wire);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => DnsName.Hash(alternate);

    public DnsName Create(ReadOnlySpan<byte> alternate) => DnsName.FromWire(alternate);
}
