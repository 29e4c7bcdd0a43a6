namespace Doorway.Transport;

/// <summary>
/// The house (the book's process) its doors share: the registry of live connections, the meter,
/// and the file-descriptor budget. One per <c>serve</c>; tests make their own.
/// </summary>
public sealed class House : IDisposable
{
    public House(DescriptorBudget? descriptors = null)
    {
        Registry = new ConnectionRegistry();
        Meter = new DoorMeter(Registry);
        Descriptors = descriptors ?? DescriptorBudget.FromProcessLimit();
    }

    public ConnectionRegistry Registry { get; }

    public DoorMeter Meter { get; }

    public DescriptorBudget Descriptors { get; }

    public void Dispose() => Meter.Dispose();
}
