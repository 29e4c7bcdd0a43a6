namespace Doorway.Cache;

/// <summary>
/// One fetch of an object in flight, which concurrent misses for the same key wait for instead of
/// asking the origin again (request collapsing). The fetch publishes its response as soon as the
/// head is in: a shareable one (storable, within the object limit) with the content still
/// filling, or null when the others must fetch for themselves.
/// </summary>
internal sealed class CacheFill
{
    private readonly TaskCompletionSource<StoredResponse?> _head = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CacheFill(string key) => Key = key;

    public string Key { get; }

    /// <summary>Requests that waited for this fetch (for the test of collapsing and the meter).</summary>
    public int Waiters;

    public Task<StoredResponse?> Head => _head.Task;

    public void Publish(StoredResponse? response) => _head.TrySetResult(response);
}
