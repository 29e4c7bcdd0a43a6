namespace Doorway.Cache;

/// <summary>
/// The stored responses in memory, by key (the target URI) and then by variant (RFC 9111 §4.1),
/// within a byte budget: a new entry evicts the least recently used until it fits, and an entry
/// larger than the budget is not kept. One lock: every operation is a few pointer moves.
/// </summary>
internal sealed class MemoryStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoredResponse[]> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredResponse[]>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly LinkedList<StoredResponse> _recency = new();
    private long _bytes;

    public MemoryStore(long maxBytes)
    {
        MaxBytes = maxBytes;
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public long MaxBytes { get; }

    /// <summary>Bytes the stored entries take now.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _recency.Count;
            }
        }
    }

    /// <summary>Raised (outside the lock) for each entry evicted or replaced, so a disk store can follow.</summary>
    public event Action<StoredResponse>? Removed;

    /// <summary>The variants stored for <paramref name="key"/> (never changed after: a change replaces the array); null when none.</summary>
    public StoredResponse[]? Variants(ReadOnlySpan<char> key)
    {
        lock (_lock)
        {
            return _bySpan.TryGetValue(key, out var variants) ? variants : null;
        }
    }

    /// <summary>Marks <paramref name="entry"/> used now (it moves to the back of the eviction order).</summary>
    public void Touch(StoredResponse entry)
    {
        lock (_lock)
        {
            if (entry.Node is { List: not null } node && node != _recency.Last)
            {
                _recency.Remove(node);
                _recency.AddLast(node);
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="entry"/>, replacing the variant for the same request values (or
    /// <paramref name="replacing"/>, a refreshed one); false when it is larger than the whole budget.
    /// </summary>
    public bool Put(StoredResponse entry, StoredResponse? replacing = null)
    {
        long size = entry.Size;
        List<StoredResponse> removed = [];
        lock (_lock)
        {
            if (size > MaxBytes)
            {
                return false;
            }

            var variants = _entries.TryGetValue(entry.Key, out var existing) ? existing : [];
            var kept = new List<StoredResponse>(variants.Length + 1);
            foreach (var variant in variants)
            {
                if (variant == replacing || SameVariant(variant, entry))
                {
                    Unlink(variant);
                    removed.Add(variant);
                }
                else
                {
                    kept.Add(variant);
                }
            }

            kept.Add(entry);
            _entries[entry.Key] = [.. kept];
            entry.Node = _recency.AddLast(entry);
            _bytes += size;
            while (_bytes > MaxBytes && _recency.First is { } oldest)
            {
                RemoveLocked(oldest.Value);
                removed.Add(oldest.Value);
            }
        }

        foreach (var gone in removed)
        {
            Removed?.Invoke(gone);
        }

        return entry.Node is { List: not null };
    }

    /// <summary>Forgets every variant of <paramref name="key"/> (RFC 9111 §4.4: invalidation after an unsafe method).</summary>
    public int Invalidate(string key)
    {
        StoredResponse[]? variants;
        lock (_lock)
        {
            if (!_entries.Remove(key, out variants))
            {
                return 0;
            }

            foreach (var variant in variants)
            {
                Unlink(variant);
            }
        }

        foreach (var gone in variants)
        {
            Removed?.Invoke(gone);
        }

        return variants.Length;
    }

    private static bool SameVariant(StoredResponse a, StoredResponse b)
    {
        if (a.VaryNames.Length != b.VaryNames.Length)
        {
            return false;
        }

        for (int i = 0; i < a.VaryNames.Length; i++)
        {
            if (!string.Equals(a.VaryNames[i], b.VaryNames[i], StringComparison.OrdinalIgnoreCase) || !string.Equals(a.VaryValues[i], b.VaryValues[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private void RemoveLocked(StoredResponse entry)
    {
        Unlink(entry);
        if (_entries.TryGetValue(entry.Key, out var variants))
        {
            var rest = variants.Where(v => v != entry).ToArray();
            if (rest.Length == 0)
            {
                _entries.Remove(entry.Key);
            }
            else
            {
                _entries[entry.Key] = rest;
            }
        }
    }

    private void Unlink(StoredResponse entry)
    {
        if (entry.Node is { List: not null } node)
        {
            _recency.Remove(node);
            _bytes -= entry.Size;
        }
    }
}
