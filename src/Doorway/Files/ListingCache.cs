namespace Doorway.Files;

/// <summary>
/// Rendered directory listings per directory version (<see cref="FileVersion"/> of the opened
/// directory) and request path, in a small LRU bounded by count and bytes. Concurrent requests
/// for the same page wait for one rendering, so 32 clients asking for a 30,000-entry directory
/// make it read and rendered once. Rendering reads the file system: callers are off the epoll threads.
/// </summary>
internal sealed class ListingCache
{
    private readonly FileRoot _root;
    private readonly ListingCacheOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<Key, LinkedListNode<Cached>> _pages = [];
    private readonly LinkedList<Cached> _recent = new();
    private readonly Dictionary<Key, Lazy<ListingPage>> _rendering = [];
    private long _bytes;
    private int _renders;

    public ListingCache(FileRoot root, ListingCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
        _options = options ?? ListingCacheOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxEntries, 0);
    }

    /// <summary>Pages rendered so far (a cache hit or a shared rendering renders nothing).</summary>
    public int Renders => Volatile.Read(ref _renders);

    public int Count
    {
        get { lock (_lock) { return _pages.Count; } }
    }

    /// <summary>
    /// The listing page of <paramref name="directory"/>, opened by <paramref name="requestPath"/>
    /// (with its leading '/'). The bytes belong to the cache and are shared: never write to them.
    /// Throws <see cref="IOException"/> if the directory cannot be read.
    /// </summary>
    public ListingPage GetPage(OpenedFile directory, string requestPath)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(requestPath);
        if (!directory.IsDirectory)
        {
            throw new ArgumentException("not a directory", nameof(directory));
        }

        var key = new Key(directory.Version, requestPath);
        Lazy<ListingPage>? rendering;
        lock (_lock)
        {
            if (_pages.TryGetValue(key, out var node))
            {
                if (_options.Time.GetElapsedTime(node.Value.RenderedAt) <= _options.MaxAge)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    return node.Value.Page;
                }

                Forget(node);
            }

            if (!_rendering.TryGetValue(key, out rendering))
            {
                // Whoever asks first renders with its descriptor; the others wait on the same Lazy.
                // That descriptor stays open throughout: its owner is inside this call until the page is done.
                rendering = new Lazy<ListingPage>(() => Render(directory, requestPath), LazyThreadSafetyMode.ExecutionAndPublication);
                _rendering[key] = rendering;
            }
        }

        try
        {
            var page = rendering.Value;
            lock (_lock)
            {
                // The first waiter back files the page; the others find it filed.
                if (_rendering.TryGetValue(key, out var done) && ReferenceEquals(done, rendering))
                {
                    _rendering.Remove(key);
                    Remember(key, page);
                }
            }

            return page;
        }
        catch (Exception)
        {
            lock (_lock)
            {
                if (_rendering.TryGetValue(key, out var done) && ReferenceEquals(done, rendering))
                {
                    _rendering.Remove(key);
                }
            }

            throw;
        }
    }

    private ListingPage Render(OpenedFile directory, string requestPath)
    {
        Interlocked.Increment(ref _renders);
        return DirectoryListing.Render(_root, directory, requestPath, _options.MaxEntries);
    }

    /// <summary>Under the lock: keep the page, then forget the least recently used until both bounds hold.</summary>
    private void Remember(Key key, ListingPage page)
    {
        if (page.Content.Length > _options.MaxBytes)
        {
            return;
        }

        if (_pages.TryGetValue(key, out var old))
        {
            Forget(old);
        }

        _pages[key] = _recent.AddFirst(new Cached(key, page, _options.Time.GetTimestamp()));
        _bytes += page.Content.Length;
        while (_pages.Count > _options.Capacity || _bytes > _options.MaxBytes)
        {
            Forget(_recent.Last!);
        }
    }

    private void Forget(LinkedListNode<Cached> node)
    {
        _recent.Remove(node);
        _pages.Remove(node.Value.Key);
        _bytes -= node.Value.Page.Content.Length;
    }

    private readonly record struct Key(FileVersion Directory, string RequestPath);

    private sealed record Cached(Key Key, ListingPage Page, long RenderedAt);
}
