namespace Doorway.Transport;

/// <summary>
/// The house (the book's process) its doors share: the registry of live connections, the meter,
/// and the file-descriptor budget. One per <c>serve</c>; tests make their own.
/// </summary>
public sealed class House : IDisposable
{
    private readonly CancellationTokenSource _draining = new();

    public House(DescriptorBudget? descriptors = null)
    {
        Registry = new ConnectionRegistry();
        Meter = new DoorMeter(Registry);
        Descriptors = descriptors ?? DescriptorBudget.FromProcessLimit();
    }

    public ConnectionRegistry Registry { get; }

    public DoorMeter Meter { get; }

    public DescriptorBudget Descriptors { get; }

    /// <summary>
    /// Cancelled when the process begins to drain (serve's first Ctrl-C or SIGTERM), before any door
    /// stops: health checks answer 503 and HTTP answers close their connections, so a load balancer
    /// takes the server out of rotation while its doors still accept.
    /// </summary>
    public CancellationToken Draining => _draining.Token;

    public void BeginDraining() => _draining.Cancel();

    public void Dispose()
    {
        Meter.Dispose();
        _draining.Dispose();
    }
}
