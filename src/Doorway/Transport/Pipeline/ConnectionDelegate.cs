namespace Doorway.Transport;

/// <summary>
/// One step of a door's pipeline, as Kestrel's ConnectionDelegate: serves a connection, usually
/// by handing it (perhaps wrapped) to the next step. Returns when the step is done with it.
/// </summary>
/// <param name="stopping">Signalled when the door begins to drain; each protocol says in its contract what it then does.</param>
public delegate Task ConnectionDelegate(Connection connection, CancellationToken stopping);
